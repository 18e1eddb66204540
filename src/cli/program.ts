import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { redactSecrets } from '../logging/redact.ts';
import { chatIdCommand } from './chat-id.command.ts';
import { CliError } from './cli-error.ts';
import {
  configGetCommand,
  configListCommand,
  configPathCommand,
  configSetCommand,
  configUnsetCommand,
} from './config.command.ts';
import { doctorCommand } from './doctor.command.ts';
import { eventsCommand } from './events.command.ts';
import { initCommand } from './init.command.ts';
import { AlreadyRunningError } from './lockfile.ts';
import { statusCommand } from './status.command.ts';
import { worktreesCommand } from './worktrees.command.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Builds the `tentacle` command tree. Each subcommand lives in its own `*.command.ts`. */
export function buildProgram(): Command {
  const program = new Command('tentacle')
    .description('Telegram bridge for coding-agent CLIs (codex, claude, opencode, pi).')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run `tentacle --help` for usage)')
    .exitOverride();

  const addRunOptions = (command: Command) =>
    command
      .option('--config <path>', 'config file (default: $TENTACLE_CONFIG or ~/.tentacle/tentacle.toml)')
      .option('--engine <id>', 'default engine for new conversations (overrides default_engine)')
      .option(
        '--no-final-notify',
        'edit the progress message into the final answer instead of sending a new one',
      )
      .option('--debug', 'debug logs (human-readable in a terminal)')
      .option('--inspect [port]', 'serve the live actor inspector on 127.0.0.1 (a port, or "stately")')
      .option('--inspect-log <file>', 'append every actor inspection event to FILE as JSON lines')
      .option('--onboard', 'run the setup wizard even if a config exists');

  addRunOptions(program.command('run', { isDefault: true }).description('start the bridge (default)')).action(
    async (options) => {
      // Loaded on demand: the bridge's modules would slow every other command's start.
      const { runCommand } = await import('./run.command.ts');
      await runCommand(options);
    },
  );
  program
    .command('events')
    .description("print an engine's JSONL as normalized events, one JSON object per line")
    .argument('<engine>', 'codex, claude, opencode or pi')
    .argument('[file]', 'JSONL file (default: stdin)')
    .option('--exit-code <n>', 'treat the stream as ending with this exit code', '0')
    .option('--resume <token>', 'translate as a resumed run of this session')
    .option('--cwd <dir>', 'the run directory, for relative paths in action titles')
    .action(async (engine: string, file: string | undefined, options) => {
      await eventsCommand(engine, file, options);
    });
  const config = program.command('config').description('read and change tentacle.toml');
  const configOption = '--config <path>';
  const configHelp = 'config file (default: $TENTACLE_CONFIG or ~/.tentacle/tentacle.toml)';
  config
    .command('path')
    .description('print the config file path')
    .option(configOption, configHelp)
    .action((options) => configPathCommand(options));
  config
    .command('list')
    .description('print every key as `dot.path = <toml literal>`')
    .option(configOption, configHelp)
    .action((options) => configListCommand(options));
  config
    .command('get')
    .description('print one value as a TOML literal')
    .argument('<key>', 'dot path, e.g. transports.telegram.chat_id')
    .option(configOption, configHelp)
    .action((key: string, options) => configGetCommand(key, options));
  config
    .command('set')
    .description('set a value (read as a TOML literal, else as a string); validates before writing')
    .argument('<key>', 'dot path, e.g. transports.telegram.session_mode')
    .argument('<value>', 'e.g. chat, 42, true, ["a", "b"]')
    .option(configOption, configHelp)
    // A value such as -100123 is a value, not an unknown option.
    .allowUnknownOption()
    .action((key: string, value: string, options) => configSetCommand(key, value, options));
  config
    .command('unset')
    .description('remove a key (and tables left empty)')
    .argument('<key>', 'dot path')
    .option(configOption, configHelp)
    .action((key: string, options) => configUnsetCommand(key, options));
  program
    .command('init')
    .description('register the git repository of the current directory as a project')
    .argument('[alias]', 'project alias (default: the folder name without .git, lowercased)')
    .option('--default', 'also make it default_project')
    .option('--force', 'overwrite an existing project of that alias without asking')
    .option(configOption, configHelp)
    .action(async (alias: string | undefined, options) => {
      await initCommand(alias, options);
    });
  program
    .command('worktrees')
    .description("list each project's worktrees: branch, path, dirty/clean, ahead/behind, bound topics")
    .option('--prune', 'remove worktrees that are clean, merged into their base and not bound to a topic')
    .option(configOption, configHelp)
    .action(async (options) => {
      await worktreesCommand(options);
    });
  program
    .command('doctor')
    .description('check the config, bot token, chats, topics, engines, projects, state database and lockfile')
    .option(configOption, configHelp)
    .action(async (options) => {
      await doctorCommand(options);
    });
  program
    .command('chat-id')
    .description('print the id of the next chat you write the bot in (or store it for a project)')
    .option('--token <token>', 'bot token (default: transports.telegram.bot_token)')
    .option('--project <alias>', 'store the chat as projects.<alias>.chat_id')
    .option('--timeout <seconds>', 'how long to wait for a message', '300')
    .option(configOption, configHelp)
    .action(async (options) => {
      await chatIdCommand(options);
    });
  program
    .command('status')
    .description('topics, runs, queues and pending deliveries, read from the state database')
    .option('--json', 'print one JSON document')
    .option('--watch', 'redraw every second until Ctrl-C')
    .option(configOption, configHelp)
    .action(async (options) => {
      await statusCommand(options);
    });
  return program;
}

/**
 * Runs the CLI and returns the exit code. Expected failures print one `error: …` line on stderr.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit with 0 through here; usage errors were already printed.
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof CliError || error instanceof AlreadyRunningError) {
      process.stderr.write(`error: ${redactSecrets(error.message)}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    process.stderr.write(
      `error: unexpected failure: ${redactSecrets(String((error as Error)?.stack ?? error))}\n`,
    );
    return 1;
  }
}
