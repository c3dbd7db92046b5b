/**
 * Writes a small PDF with a real text layer, no font file needed: a Type0 font with Identity-H
 * encoding whose character codes are the text's UTF-16 code units, and a ToUnicode CMap mapping
 * each code to itself, so that any PDF reader extracts the text exactly. Each page is a list of
 * lines drawn top to bottom; a line may be split into pieces drawn in a shuffled order (to check
 * that reading order is rebuilt from positions, as PDF producers do not keep it).
 */
export function makePdf(pages: string[][], opts: { shuffle?: boolean } = {}): Buffer {
  const objects: string[] = []
  const add = (body: string) => {
    objects.push(body)
    return objects.length
  }
  const hex = (text: string) =>
    [...text]
      .map((c) => c.charCodeAt(0).toString(16).padStart(4, '0'))
      .join('')
      .toUpperCase()
  const ranges = Array.from({ length: 256 }, (_, hi) => {
    const h = hi.toString(16).padStart(2, '0').toUpperCase()
    return `<${h}00> <${h}FF> <${h}00>`
  })
  const cmap = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    ...Array.from({ length: 3 }, (_, k) => {
      const chunk = ranges.slice(k * 100, (k + 1) * 100)
      return `${chunk.length} beginbfrange\n${chunk.join('\n')}\nendbfrange`
    }),
    'endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n')
  const catalog = add('<< /Type /Catalog /Pages 2 0 R >>')
  const pagesId = add('') // filled below
  const toUnicode = add(`<< /Length ${Buffer.byteLength(cmap)} >>\nstream\n${cmap}\nendstream`)
  const descriptor = add(
    '<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -140 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>',
  )
  const cidFont = add(
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /DW 1000 >>`,
  )
  const font = add(
    `<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
  )
  const kids: number[] = []
  for (const lines of pages) {
    const ops: string[] = []
    lines.forEach((line, i) => {
      const y = 800 - i * 20
      // Two pieces per line, the second drawn first when shuffled.
      const cut = Math.ceil(line.length / 2)
      const pieces = [
        { text: line.slice(0, cut), x: 50 },
        { text: line.slice(cut), x: 50 + cut * 16 },
      ].filter((p) => p.text !== '')
      if (opts.shuffle) pieces.reverse()
      for (const p of pieces) ops.push(`BT /F1 16 Tf 1 0 0 1 ${p.x} ${y} Tm <${hex(p.text)}> Tj ET`)
    })
    const content = ops.join('\n')
    const contents = add(`<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`)
    kids.push(
      add(
        `<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${contents} 0 R >>`,
      ),
    )
  }
  objects[pagesId - 1] =
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`
  let pdf = '%PDF-1.7\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf))
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = Buffer.byteLength(pdf)
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const o of offsets) pdf += `${String(o).padStart(10, '0')} 00000 n \n`
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(pdf, 'latin1')
}
