/**
 * `.env` as acrbot applies it (src/config/dotenv.ts): a byte order mark at the start and a
 * variable the environment holds blank no longer leave a setting out (ACRBOT_MODE=azure lost
 * meant the sandbox, with no authentication); a value the environment sets still wins.
 */
import { applyDotEnv } from '../../src/config/dotenv';

test('a leading byte order mark is not part of the first name', () => {
  const env: NodeJS.ProcessEnv = {};
  expect(applyDotEnv('\uFEFFACRBOT_MODE=azure\r\nHOST=0.0.0.0\r\n', env)).toEqual(['ACRBOT_MODE', 'HOST']);
  expect(env).toEqual({ ACRBOT_MODE: 'azure', HOST: '0.0.0.0' });
});

test('a variable the environment holds blank is filled from the file, one set to a value is kept', () => {
  const env: NodeJS.ProcessEnv = { ACRBOT_MODE: '', LOG_LEVEL: ' \n', PORT: '8080' };
  expect(applyDotEnv('ACRBOT_MODE=azure\nLOG_LEVEL=debug\nPORT=3978\n', env)).toEqual(['ACRBOT_MODE', 'LOG_LEVEL']);
  expect(env).toEqual({ ACRBOT_MODE: 'azure', LOG_LEVEL: 'debug', PORT: '8080' });
});

test('the file is parsed as Node parses it: comments, quotes, export', () => {
  const env: NodeJS.ProcessEnv = {};
  applyDotEnv('# a comment\nexport A=1\nB="two words"\n', env);
  expect(env).toEqual({ A: '1', B: 'two words' });
});
