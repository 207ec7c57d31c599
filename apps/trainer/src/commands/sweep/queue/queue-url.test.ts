import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from './queue-url.js';

describe('parseQueueUrl', () => {
  it('reads host, port, password and the queue name; shows the URL without the password', () => {
    expect(parseQueueUrl('redis://:s3cret@queue-host:6390/sweeps')).toEqual({
      host: 'queue-host',
      port: 6390,
      password: 's3cret',
      name: 'sweeps',
      shown: 'redis://queue-host:6390/sweeps',
    });
    expect(parseQueueUrl('redis://10.0.0.2/q.1')).toMatchObject({ port: 6379, name: 'q.1' });
  });

  it.each([
    'queue-host:6390/sweeps',
    'http://host:6390/sweeps',
    'redis://host:6390',
    'redis://host:6390/a/b',
  ])('refuses %s with a usage error saying the form', (url) => {
    expect(() => parseQueueUrl(url)).toThrow(
      expect.objectContaining({
        name: 'UsageError',
        message: expect.stringContaining('--queue must be redis://HOST:PORT/NAME'),
      }),
    );
  });
});
