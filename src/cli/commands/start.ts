import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { createLogger } from '../../log.ts'

export function registerStart(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description(
      'run the service: bot, scheduler, delivery worker and web desk (sandbox mode without BOT_TOKEN)',
    )
    .option('--no-bot', 'do not run the Telegram bot in this process')
    .option('--no-scheduler', 'do not run scheduled jobs in this process')
    .option('--no-worker', 'do not send deliveries from this process')
    .option('--no-web', 'do not serve the web desk (WEB_PORT) from this process')
    .option('--sandbox', 'run the sandbox (no BOT_TOKEN) in a DATA_DIR it did not create; never on real data')
    .action(
      async (opts: {
        bot: boolean
        scheduler: boolean
        worker: boolean
        web: boolean
        sandbox?: boolean
      }) => {
        const config = ctx.config()
        const logger = createLogger(config.logLevel)
        const { startService } = await import('../../service.ts')
        const service = await startService(
          config,
          logger,
          {
            bot: opts.bot,
            scheduler: opts.scheduler,
            worker: opts.worker,
            web: opts.web,
            sandbox: opts.sandbox === true,
          },
          ctx.parts,
        )
        if (service.sandbox) ctx.output.out(service.sandbox.welcome)
        const onSignal = (signal: NodeJS.Signals) => void service.stop(signal)
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
        await service.stopped
        process.off('SIGINT', onSignal)
        process.off('SIGTERM', onSignal)
      },
    )
}
