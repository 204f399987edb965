import { detectors } from '../../src/detectors/index.js';

const MASK = '*****';
const redact = (text: string): string => detectors.slackToken.redact(text, MASK);

const HOOK = 'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

describe('slackToken detector', () => {
  test.each([
    'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
    'xoxp-17653672481-19874698323-19874698324-3f1d8e0c0b9a8e7d6c5b4a3f2e1d0c9b',
    'xoxa-2-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
    'xoxr-17653672481-pdFZKVeTuE8sk7oOcBrzbqgy',
    'xoxs-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
    'xoxe-1-My0xLTE3NjUzNjcyNDgxLTE5ODc0Njk4MzI0',
    'xoxe.xoxp-1-Mi0yLTE3NjUzNjcyNDgxLTE5ODc0Njk4MzI0',
    'xoxe.xoxb-1-Mi0yLTE3NjUzNjcyNDgxLTE5ODc0Njk4MzI0',
    'xapp-1-A0123456789-1234567890123-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d',
    'xoxc-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
  ])('masks the token %s', (token) => {
    expect(redact(token)).toBe(MASK);
    expect(redact(`SLACK_TOKEN=${token}\n`)).toBe(`SLACK_TOKEN=${MASK}\n`);
    expect(redact(`{"token":"${token}"}`)).toBe(`{"token":"${MASK}"}`);
  });

  test.each([
    [`https://hooks.slack.com/services/${HOOK}`, 'https://hooks.slack.com/services/*****'],
    [
      `{"url":"https://hooks.slack.com/services/${HOOK}"}`,
      '{"url":"https://hooks.slack.com/services/*****"}',
    ],
    [`post to https://hooks.slack.com/services/${HOOK}.`, 'post to https://hooks.slack.com/services/*****.'],
    [
      'https://hooks.slack.com/workflows/T0123ABCD/A0123ABCD/123456789/aBcDeF',
      'https://hooks.slack.com/workflows/*****',
    ],
    [
      'https://hooks.slack.com/triggers/T0123ABCD/1234567890/abcdef0123',
      'https://hooks.slack.com/triggers/*****',
    ],
    ['Authorization: Bearer xoxb-1234567890-abcdef', 'Authorization: Bearer *****'],
  ])('masks %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test.each([
    ['a placeholder without digits', 'xoxb-your-bot-token-here and xapp-your-app-token'],
    ['a body of 9 characters', 'xoxb-123456789'],
    ['the prefix alone', 'xoxb-'],
    ['a prefix glued to a word', 'axoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy'],
    ['an unknown kind', 'xoxz-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy'],
    ['the webhook host without a path', 'https://hooks.slack.com/services/ and hooks.slack.com/'],
    ['another Slack URL', 'https://api.slack.com/apps/A0123456789/general'],
    ['a short webhook path', 'https://hooks.slack.com/services/T0/B0'],
  ])('leaves %s alone', (_label, input) => {
    expect(redact(input)).toBe(input);
  });
});
