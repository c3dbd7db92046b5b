import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { say } from '../../sandbox/say.ts'
import { UserError } from '../../errors.ts'

export function registerSandbox(program: Command, ctx: CliContext): void {
  const sandbox = program
    .command('sandbox')
    .description('talk to the running sandbox (npm start without BOT_TOKEN)')
  sandbox
    .command('say')
    .description("send a message as a person and print the bot's answers")
    .requiredOption('--as <person>', 'who speaks: a name, #id or email')
    .option(
      '--chat <unit or group>',
      'a unit\'s group, or "supervisors"; default the private chat with the bot',
    )
    .option('--reply <last|message id>', "send it as a reply (e.g. to the bot's last prompt)")
    .argument('<text...>', 'what they write')
    .action(async (words: string[], opts: { as: string; chat?: string; reply?: string }) => {
      const config = ctx.config()
      if (!config.sandbox)
        throw new UserError('BOT_TOKEN 已设置，沙盒未启用 / BOT_TOKEN is set: this is not the sandbox')
      const answers = await say(await ctx.db(), config.dataDir, { ...opts, text: words.join(' ') })
      if (answers.length === 0) ctx.output.out('（机器人没有回复 / the bot did not answer）')
      ctx.output.out(answers.join('\n\n'))
    })
}
