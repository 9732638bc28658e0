import { describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { unifiedDiff } from './diff.js';
import { parsePasswdFile, renderAclFile, renderConfSnippet, renderPasswdFile } from './files.js';
import { hashPassword, verifyPassword } from './password.js';

function configError(fn: () => unknown): StewardError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    expect((err as StewardError).code).toBe('E_CONFIG');
    return err as StewardError;
  }
  throw new Error('expected an E_CONFIG error');
}

describe('passwd file', () => {
  it('parses user:hash lines, skipping comments, blanks and CRs', () => {
    const map = parsePasswdFile('# header\n\nalice:$7$1$a$b\r\nbob:$6$c$d\nbroken line\nalice:$7$9$x$y\n');
    expect([...map]).toEqual([
      ['alice', '$7$1$a$b'],
      ['bob', '$6$c$d'],
    ]);
  });

  it('keeps hashes that still verify, re-hashes changed ones, reports added and removed users', () => {
    const first = renderPasswdFile(
      [
        { name: 'alice', password: 'a-pw' },
        { name: 'bob', password: 'b-pw' },
      ],
      new Map(),
    );
    expect(first.changed).toEqual(['alice', 'bob']);
    expect(first.removed).toEqual([]);
    const existing = parsePasswdFile(first.text);
    expect(verifyPassword('a-pw', existing.get('alice')!)).toBe(true);

    const same = renderPasswdFile(
      [
        { name: 'alice', password: 'a-pw' },
        { name: 'bob', password: 'b-pw' },
      ],
      existing,
    );
    expect(same.text).toBe(first.text);
    expect(same.changed).toEqual([]);

    const next = renderPasswdFile(
      [
        { name: 'alice', password: 'a-pw' },
        { name: 'carol', password: 'c-pw' },
      ],
      parsePasswdFile(`${first.text}dave:${hashPassword('d')}\n`),
    );
    expect(next.changed).toEqual(['carol']);
    expect(next.removed).toEqual(['bob', 'dave']);
    const after = parsePasswdFile(next.text);
    expect(after.get('alice')).toBe(existing.get('alice'));
    expect([...after.keys()]).toEqual(['alice', 'carol']);
  });

  it('re-hashes a changed password, a legacy $6$ hash and another iteration count', () => {
    const legacy =
      '$6$7aoMP76bJSDGh/kK$Or/wgDsVax8cQf5+U0YAT9I7Trkjye1LuR0+CLbcCBCtIx+yb6RWTucN4F1OdvQKHPXXzMDtSpeOKtZ7QSVmQg==';
    expect(verifyPassword('hunter2', legacy)).toBe(true);
    const existing = new Map([
      ['old', legacy],
      ['pw', hashPassword('before')],
      ['iter', hashPassword('same', { iterations: 50 })],
    ]);
    const users = [
      { name: 'old', password: 'hunter2' },
      { name: 'pw', password: 'after' },
      { name: 'iter', password: 'same' },
    ];
    const r = renderPasswdFile(users, existing, { iterations: 200 });
    expect(r.changed).toEqual(['old', 'pw', 'iter']);
    const map = parsePasswdFile(r.text);
    for (const u of users) {
      expect(map.get(u.name)).toMatch(/^\$7\$200\$/);
      expect(verifyPassword(u.password, map.get(u.name)!)).toBe(true);
    }
  });

  it('refuses bad and duplicate usernames, naming them', () => {
    for (const name of ['a:b', 'a b', 'a\nb', '', '#x', 'tab\tx']) {
      configError(() => renderPasswdFile([{ name, password: 'x' }], new Map()));
    }
    expect(
      configError(() => renderPasswdFile([{ name: 'a:b', password: 'x' }], new Map())).message,
    ).toContain('"a:b"');
    const dup = configError(() =>
      renderPasswdFile(
        [
          { name: 'x', password: '1' },
          { name: 'x', password: '2' },
        ],
        new Map(),
      ),
    );
    expect(dup.message).toContain('"x"');
  });
});

describe('renderAclFile', () => {
  it('writes patterns first, then one block per user, with the access always spelled out', () => {
    const text = renderAclFile({
      patterns: [{ topic: 'nodes/%u/#', access: 'readwrite' }],
      users: [
        {
          name: 'backend',
          acl: [
            { topic: 'nodes/+/state', access: 'read' },
            { topic: 'nodes/+/cmd', access: 'write' },
            { topic: 'nodes/secret', access: 'deny' },
          ],
        },
        { name: 'ops', acl: [{ topic: '#', access: 'readwrite' }] },
        { name: 'nobody', acl: [] },
      ],
    });
    expect(text).toBe(
      [
        '# Managed by Steward: edits here are overwritten on the next apply.',
        '',
        '# For every user (%u = username, %c = client id).',
        'pattern readwrite nodes/%u/#',
        '',
        'user backend',
        'topic read nodes/+/state',
        'topic write nodes/+/cmd',
        'topic deny nodes/secret',
        '',
        'user ops',
        'topic readwrite #',
        '',
        'user nobody',
        '',
      ].join('\n'),
    );
  });

  it('accepts valid filters, refuses malformed ones naming the topic and the user', () => {
    const acl = (topic: string) =>
      renderAclFile({ patterns: [], users: [{ name: 'u1', acl: [{ topic, access: 'read' }] }] });
    for (const ok of ['a', '#', '+', 'a/+/b', 'a/#', '+/+/#', '$SYS/#', 'a b/c', '/leading', 'trailing/'])
      acl(ok);
    for (const bad of ['', 'a/#/b', 'a#', 'a/b#', 'a+/b', 'a/+b', 'x\ny', 'x\0', 'x\rtopic', ' a', 'a ']) {
      const err = configError(() => acl(bad));
      if (bad !== '') expect(err.message).toContain(JSON.stringify(bad));
      expect(err.message).toContain('user u1');
    }
    const pat = configError(() =>
      renderAclFile({ patterns: [{ topic: 'a/#/%u', access: 'read' }], users: [] }),
    );
    expect(pat.message).toContain('pattern');
    configError(() => renderAclFile({ patterns: [], users: [{ name: 'bad user', acl: [] }] }));
    configError(() =>
      renderAclFile({ patterns: [], users: [{ name: 'u', acl: [{ topic: 'a', access: 'all' as 'read' }] }] }),
    );
  });
});

describe('renderConfSnippet', () => {
  it('turns anonymous access off and points at the files', () => {
    const text = renderConfSnippet({
      listeners: [{ port: 1883, bind: '127.0.0.1' }, { port: 8883 }],
      passwordFile: '/etc/mosquitto/steward/passwd',
      aclFile: '/etc/mosquitto/steward/acl',
      persistence: true,
    });
    const directives = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(directives).toEqual([
      'per_listener_settings false',
      'allow_anonymous false',
      'password_file /etc/mosquitto/steward/passwd',
      'acl_file /etc/mosquitto/steward/acl',
      'persistence true',
      'listener 1883 127.0.0.1',
      'listener 8883',
    ]);
  });

  it('refuses relative or multi-line paths, bad ports and duplicate listeners', () => {
    const base = { listeners: [], passwordFile: '/p', aclFile: '/a', persistence: false };
    expect(renderConfSnippet(base)).toContain('persistence false');
    configError(() => renderConfSnippet({ ...base, passwordFile: 'passwd' }));
    configError(() => renderConfSnippet({ ...base, aclFile: '/a\nallow_anonymous true' }));
    configError(() => renderConfSnippet({ ...base, listeners: [{ port: 0 }] }));
    configError(() => renderConfSnippet({ ...base, listeners: [{ port: 70000 }] }));
    configError(() => renderConfSnippet({ ...base, listeners: [{ port: 1883, bind: '1.2.3.4 x' }] }));
    configError(() => renderConfSnippet({ ...base, listeners: [{ port: 1 }, { port: 1 }] }));
  });
});

describe('unifiedDiff', () => {
  it('shows only the changed lines with context, hashes masked', () => {
    const a = hashPassword('one');
    const b = hashPassword('two');
    const before = `# h\nu1:${a}\nu2:${a}\nu3:${a}\nu4:${a}\nu5:${a}\nu6:${a}\n`;
    const after = before.replace(`u4:${a}`, `u4:${b}`);
    const diff = unifiedDiff('passwd', before, after);
    expect(diff).toBe(
      [
        '--- a/passwd',
        '+++ b/passwd',
        '@@ -3,5 +3,5 @@',
        ' u2:$7$…',
        ' u3:$7$…',
        '-u4:$7$…',
        '+u4:$7$…',
        ' u5:$7$…',
        ' u6:$7$…',
        '',
      ].join('\n'),
    );
    expect(diff).not.toContain(a.slice(8, 20));
    expect(unifiedDiff('passwd', before, before)).toBe('');
  });

  it('diffs a new file against /dev/null and keeps distant changes in separate hunks', () => {
    expect(unifiedDiff('acl', null, 'x\ny\n')).toBe('--- /dev/null\n+++ b/acl\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    const lines = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const changed = lines.map((l) => (l === 'l1' || l === 'l17' ? `${l}!` : l));
    const diff = unifiedDiff('f', `${lines.join('\n')}\n`, `${changed.join('\n')}\n`);
    expect(diff.match(/^@@/gm)).toHaveLength(2);
    expect(diff).toContain('@@ -1,4 +1,4 @@\n l0\n-l1\n+l1!\n l2\n l3\n');
    expect(diff).toContain('@@ -16,5 +16,5 @@\n l15\n l16\n-l17\n+l17!\n l18\n l19\n');
  });
});
