import { describe, expect, it } from 'vitest';
import { joinRemote, redact } from './redact.js';

describe('redact', () => {
  it('hides secret-looking connection string parameters', () => {
    expect(redact(":webdav,url='http://h/',user=bob,pass=s3cr3t:backups")).toBe(
      ":webdav,url='http://h/',user=bob,pass=***:backups",
    );
    expect(redact(':b2,account=abc,key=K0001:bucket/x')).toBe(':b2,account=abc,key=***:bucket/x');
    expect(redact(":s3,access_key_id=AKIA1,secret_access_key='a,b':b")).toBe(
      ':s3,access_key_id=***,secret_access_key=***:b',
    );
    expect(redact(':sftp,host=h,password="p w":dir')).toBe(':sftp,host=h,password=***:dir');
  });

  it('hides them in the free-text messages of rclone', () => {
    expect(redact('ERROR : bad credentials: key=K0001 rejected')).toBe(
      'ERROR : bad credentials: key=*** rejected',
    );
  });

  it('hides passwords in URLs', () => {
    expect(redact('Propfind "http://bob:hunter2@h/x": 401')).toBe('Propfind "http://bob:***@h/x": 401');
  });

  it('leaves ordinary remotes alone', () => {
    expect(redact('b2:bucket/steward')).toBe('b2:bucket/steward');
    expect(redact("directory not found: :webdav,url='http://127.0.0.1:8080/':x")).toBe(
      "directory not found: :webdav,url='http://127.0.0.1:8080/':x",
    );
  });
});

describe('joinRemote', () => {
  it('adds a separator only where needed', () => {
    expect(joinRemote('b2:', 'a')).toBe('b2:a');
    expect(joinRemote('b2:bucket', 'a')).toBe('b2:bucket/a');
    expect(joinRemote('b2:bucket/', 'a')).toBe('b2:bucket/a');
    expect(joinRemote(":webdav,url='http://h/':", 'a')).toBe(":webdav,url='http://h/':a");
  });
});
