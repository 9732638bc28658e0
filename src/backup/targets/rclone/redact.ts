/**
 * rclone repeats the remote in its messages, and connection strings may carry secrets
 * (":b2,account=…,key=…:bucket", ":webdav,url=…,pass=…:"). Everything we show or store
 * passes through here.
 */

// A connection-string parameter whose name suggests a secret, with its value: bare, 'quoted' or "quoted".
const secretParam =
  /((?:^|[\s,:;(])[\w-]*(?:pass|password|key|secret|token|auth|credential)[\w-]*\s*=\s*)('(?:[^']|'')*'|"(?:[^"]|"")*"|[^,:\s'"]*)/gim;
// user:password@ in URLs.
const urlCredentials = /(\/\/[^/:@\s'"]+:)[^@/\s'"]+@/g;

export function redact(text: string): string {
  return text.replace(secretParam, '$1***').replace(urlCredentials, '$1***@');
}

/** `<remote>/<name>`, without doubling the separator after "remote:" or "path/". */
export function joinRemote(remote: string, name: string): string {
  return remote.endsWith(':') || remote.endsWith('/') ? `${remote}${name}` : `${remote}/${name}`;
}
