import type { MessageEntity } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { ENGINE_IDS } from '../../../src/engines/events.ts';
import {
  BUILTIN_COMMANDS,
  type CommandKind,
  classifyCommand,
  type ParsedCommand,
  parseCommand,
} from '../../../src/transport/routing/commands.ts';

describe('parseCommand', () => {
  it.each<[string, ParsedCommand]>([
    ['/cancel', { name: 'cancel', addressee: undefined, forThisBot: true, args: '' }],
    ['/model set o3', { name: 'model', addressee: undefined, forThisBot: true, args: 'set o3' }],
    ['/claude@mybot x', { name: 'claude', addressee: 'mybot', forThisBot: true, args: 'x' }],
    ['/Claude@MyBot x', { name: 'claude', addressee: 'MyBot', forThisBot: true, args: 'x' }],
    ['/x@otherbot hi', { name: 'x', addressee: 'otherbot', forThisBot: false, args: 'hi' }],
    [
      '/happy-gadgets add X',
      { name: 'happy-gadgets', addressee: undefined, forThisBot: true, args: 'add X' },
    ],
    [
      '/file\n  put docs/a.pdf\nmore',
      { name: 'file', addressee: undefined, forThisBot: true, args: 'put docs/a.pdf\nmore' },
    ],
    ['/ctx   set proj @br', { name: 'ctx', addressee: undefined, forThisBot: true, args: 'set proj @br' }],
  ])('splits %j', (text, parsed) => {
    expect(parseCommand(text, [], 'mybot')).toEqual(parsed);
  });

  it.each<string>(['hello', ' /cancel', '/', '/ cancel', '/this/path do x', '@mybot /cancel', ''])(
    'finds no command in %j',
    (text) => {
      expect(parseCommand(text, [], 'mybot')).toBeUndefined();
    },
  );

  it('counts any addressee as this bot while its username is unknown', () => {
    expect(parseCommand('/x@otherbot hi', [])?.forThisBot).toBe(true);
  });

  it('accepts a command recognized by its bot_command entity', () => {
    const entities: MessageEntity[] = [{ type: 'bot_command', offset: 0, length: 13 }];
    expect(parseCommand('/agent@mybot set claude', entities, 'mybot')).toEqual({
      name: 'agent',
      addressee: 'mybot',
      forThisBot: true,
      args: 'set claude',
    });
  });
});

describe('classifyCommand', () => {
  const known = { engines: ENGINE_IDS, projects: ['proj', 'happy-gadgets'] };

  it.each<[string, CommandKind]>([
    ...BUILTIN_COMMANDS.map((name): [string, CommandKind] => [name, 'builtin']),
    ['codex', 'engine'],
    ['Claude', 'engine'],
    ['pi', 'engine'],
    ['proj', 'project'],
    ['HAPPY-GADGETS', 'project'],
    ['start', 'unknown'],
    ['config', 'unknown'],
  ])('%s is %s', (name, kind) => {
    expect(classifyCommand(name, known)).toBe(kind);
  });

  it('lists exactly the reserved built-ins', () => {
    expect([...BUILTIN_COMMANDS].sort()).toEqual(
      ['cancel', 'new', 'agent', 'model', 'reasoning', 'trigger', 'ctx', 'topic', 'file'].sort(),
    );
  });
});
