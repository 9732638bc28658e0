import path from 'node:path';
import { StewardError } from '../../core/errors.js';

/**
 * Checks on what goes into Mosquitto's line-based files. A newline in a topic or a name would
 * start a new directive, so each check names the offending item for the person fixing the config.
 */

const controlChars = /[\r\n\0]/;

function fail(message: string, hint?: string): never {
  throw new StewardError('E_CONFIG', message, hint === undefined ? {} : { hint });
}

export function validateUsername(name: string): void {
  const shown = JSON.stringify(name);
  if (name === '') fail('MQTT username is empty');
  if (controlChars.test(name)) fail(`MQTT username ${shown} contains a newline or NUL`);
  if (/\s/.test(name)) fail(`MQTT username ${shown} contains whitespace`);
  if (name.includes(':'))
    fail(`MQTT username ${shown} contains ':'`, 'the password file separates user and hash with ":"');
  // Mosquitto skips password-file lines that start with '#': the user could never log in.
  if (name.startsWith('#'))
    fail(`MQTT username ${shown} starts with '#'`, 'Mosquitto reads that line as a comment');
}

/** Topic filters as the ACL file holds them: `+` and `#` stand alone in their level, `#` only last. */
export function validateTopic(topic: string, where: string): void {
  const shown = JSON.stringify(topic);
  if (topic === '') fail(`empty ACL topic (${where})`);
  if (controlChars.test(topic)) fail(`ACL topic ${shown} (${where}) contains a newline or NUL`);
  // Mosquitto trims the blanks around a topic: what it would enforce is not what was written.
  if (topic.trim() !== topic) fail(`ACL topic ${shown} (${where}) starts or ends with whitespace`);
  if (Buffer.byteLength(topic) > 65535) fail(`ACL topic (${where}) is longer than MQTT allows`);
  const levels = topic.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      fail(`ACL topic ${shown} (${where}): '#' must be a whole level and the last one`);
    }
    if (level.includes('+') && level !== '+')
      fail(`ACL topic ${shown} (${where}): '+' must be a whole level`);
  });
}

/** Paths and addresses in mosquitto.conf: one line each, and absolute since the broker's cwd is anyone's guess. */
export function validateConfPath(file: string, what: string): void {
  if (controlChars.test(file) || file.trim() !== file || file === '') {
    fail(`${what} ${JSON.stringify(file)} is not a usable path`);
  }
  if (!path.isAbsolute(file)) fail(`${what} ${JSON.stringify(file)} must be an absolute path`);
}

export function validateListener(port: number, bind: string | undefined): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`listener port ${port} is not a TCP port`);
  if (bind !== undefined && (bind === '' || /[\s\0]/.test(bind))) {
    fail(`listener bind address ${JSON.stringify(bind)} (port ${port}) is not an address`);
  }
}
