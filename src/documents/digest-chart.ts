/**
 * The digest's picture: per-unit completion as horizontal bars stacked by state, and the weekly
 * completion rate as a line, 1080 px wide with large type so it reads on a phone.
 *
 * The SVG is built here by hand: two simple charts do not need a charting library (echarts'
 * server-side SVG renderer would add ~10 MB to load for the same bars, and its CJK text
 * measurement is an estimate too). resvg (@resvg/resvg-js, a prebuilt native binary in the npm
 * package) turns it into a PNG with ONE font, Noto Sans Hans from @embedpdf/fonts-sc (full
 * GB2312 coverage, so arbitrary unit names render), loaded from the project's own
 * node_modules with system fonts off: the picture is the same on every machine.
 *
 * Rendering is synchronous (message templates render synchronously); resvg is required lazily,
 * on the first picture, so nothing loads at CLI start-up.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Locale } from '../db/schema.ts'
import { messages } from '../i18n/index.ts'

const require = createRequire(import.meta.url)

export const CHART_WIDTH = 1080
/** At most this many units get a bar; the rest are counted under the chart. */
export const CHART_UNITS = 25
/** The family name inside the shipped font file. */
export const CHART_FONT_FAMILY = 'Noto Sans Hans'

/** Path of the shipped CJK font (Noto Sans Hans Regular, OFL). */
export function chartFontFile(): string {
  const entry = require.resolve('@embedpdf/fonts-sc')
  return path.join(path.dirname(entry), '..', 'fonts', 'NotoSansHans-Regular.otf')
}

export interface ChartUnit {
  name: string
  done: number
  inProgress: number
  blocked: number
  notStarted: number
  noReply: number
}

export interface ChartData {
  asOf: string
  /** Units in the order to draw them (the digest's: most overdue first). */
  units: ChartUnit[]
  /** Completion rate 0–1 per week, oldest first; the last point may be today's. */
  trend: { asOf: string; rate: number }[]
}

const STATES = ['done', 'in_progress', 'blocked', 'not_started', 'no_reply'] as const
const FILL: Record<(typeof STATES)[number], string> = {
  done: '#2e7d32',
  in_progress: '#1e88e5',
  blocked: '#e53935',
  not_started: '#fbc02d',
  no_reply: '#bdbdbd',
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** A label cut to `max` characters with an ellipsis. */
const cut = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s)

/** The chart as SVG (1080 px wide; the height grows with the units shown). */
export function digestChartSvg(data: ChartData, locale: Locale = 'zh-CN'): string {
  const t = messages(locale).paperwork.chart
  const W = CHART_WIDTH
  const pad = 40
  const labelW = 300
  const barX = pad + labelW + 16
  const barW = W - barX - 120
  const rowH = 56
  const shown = data.units.slice(0, CHART_UNITS)
  const out: string[] = []
  let y = pad

  out.push(
    `<text x="${pad}" y="${y + 44}" font-size="44" font-weight="bold" fill="#212121">${esc(t.title(data.asOf))}</text>`,
  )
  y += 76
  // Legend: five swatches in one row.
  let lx = pad
  for (const s of STATES) {
    const label = t.legend[s]
    out.push(`<rect x="${lx}" y="${y}" width="28" height="28" rx="4" fill="${FILL[s]}"/>`)
    out.push(`<text x="${lx + 36}" y="${y + 25}" font-size="28" fill="#424242">${esc(label)}</text>`)
    lx += 36 + [...label].length * 28 + 36
  }
  y += 56

  for (const u of shown) {
    const items = u.done + u.inProgress + u.blocked + u.notStarted + u.noReply
    const counts = [u.done, u.inProgress, u.blocked, u.notStarted, u.noReply]
    out.push(
      `<text x="${barX - 16}" y="${y + 34}" font-size="30" text-anchor="end" fill="#212121">${esc(cut(u.name, 9))}</text>`,
    )
    let x = barX
    counts.forEach((n, i) => {
      if (!n || !items) return
      const w = (n / items) * barW
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y + 8}" width="${w.toFixed(1)}" height="36" fill="${FILL[STATES[i]!]}"/>`,
      )
      x += w
    })
    const rate = items ? Math.round((u.done / items) * 100) : 0
    out.push(`<text x="${barX + barW + 12}" y="${y + 36}" font-size="30" fill="#212121">${rate}%</text>`)
    y += rowH
  }
  if (data.units.length > shown.length) {
    out.push(
      `<text x="${pad}" y="${y + 32}" font-size="28" fill="#757575">${esc(t.more(data.units.length - shown.length))}</text>`,
    )
    y += 48
  }

  // The weekly completion rate.
  y += 32
  out.push(
    `<text x="${pad}" y="${y + 40}" font-size="40" font-weight="bold" fill="#212121">${esc(t.trendTitle)}</text>`,
  )
  y += 64
  const plotX = pad + 90
  const plotW = W - plotX - pad - 20
  const plotH = 300
  for (const p of [0, 50, 100]) {
    const gy = y + plotH - (p / 100) * plotH
    out.push(
      `<line x1="${plotX}" y1="${gy}" x2="${plotX + plotW}" y2="${gy}" stroke="#e0e0e0" stroke-width="2"/>`,
    )
    out.push(
      `<text x="${plotX - 12}" y="${gy + 10}" font-size="26" text-anchor="end" fill="#757575">${p}%</text>`,
    )
  }
  const pts = data.trend
  if (pts.length === 0) {
    out.push(
      `<text x="${plotX + plotW / 2}" y="${y + plotH / 2}" font-size="30" text-anchor="middle" fill="#757575">${esc(t.noTrend)}</text>`,
    )
  } else {
    const step = pts.length > 1 ? plotW / (pts.length - 1) : 0
    const xy = pts.map(
      (p, i) => [plotX + (pts.length > 1 ? i * step : plotW / 2), y + plotH - p.rate * plotH] as const,
    )
    if (xy.length > 1)
      out.push(
        `<polyline points="${xy.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}" fill="none" stroke="${FILL.done}" stroke-width="6"/>`,
      )
    xy.forEach(([px, py], i) => {
      const p = pts[i]!
      out.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="9" fill="${FILL.done}"/>`)
      out.push(
        `<text x="${px.toFixed(1)}" y="${(py - 18).toFixed(1)}" font-size="26" text-anchor="middle" fill="#212121">${Math.round(p.rate * 100)}%</text>`,
      )
      out.push(
        `<text x="${px.toFixed(1)}" y="${y + plotH + 40}" font-size="26" text-anchor="middle" fill="#757575">${esc(p.asOf.slice(5))}</text>`,
      )
    })
  }
  y += plotH + 64

  const H = Math.ceil(y + pad / 2)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${CHART_FONT_FAMILY}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...out,
    '</svg>',
  ].join('\n')
}

export interface RenderedChart {
  png: Buffer
  width: number
  height: number
  /** RGBA, row by row. */
  pixels: Buffer
}

/**
 * SVG to PNG with the shipped CJK font only (`fonts: false` renders with no font at all: what a
 * machine without CJK fonts would show, for the test that the glyphs are really drawn).
 */
export function renderSvg(svg: string, opts: { fonts?: boolean } = {}): RenderedChart {
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')
  const withFonts = opts.fonts ?? true
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: withFonts ? [chartFontFile()] : [],
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
    background: '#ffffff',
  })
  const image = resvg.render()
  return { png: image.asPng(), width: image.width, height: image.height, pixels: image.pixels }
}

/** The digest's picture as PNG bytes. */
export function digestChartPng(data: ChartData, locale: Locale = 'zh-CN'): RenderedChart {
  return renderSvg(digestChartSvg(data, locale))
}
