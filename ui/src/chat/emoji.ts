// The built-in emoji set for reactions: small on purpose (no picker
// library). Names for screen readers and search are in the dictionaries
// (chat.emoji.<id>).

export const EMOJI = [
  { id: 'thumbsUp', char: '👍' },
  { id: 'heart', char: '❤️' },
  { id: 'joy', char: '😂' },
  { id: 'tada', char: '🎉' },
  { id: 'eyes', char: '👀' },
  { id: 'pray', char: '🙏' },
  { id: 'check', char: '✅' },
  { id: 'fire', char: '🔥' },
  { id: 'smile', char: '😄' },
  { id: 'grin', char: '😁' },
  { id: 'blush', char: '😊' },
  { id: 'wink', char: '😉' },
  { id: 'heartEyes', char: '😍' },
  { id: 'sunglasses', char: '😎' },
  { id: 'partying', char: '🥳' },
  { id: 'thinking', char: '🤔' },
  { id: 'sweatSmile', char: '😅' },
  { id: 'upsideDown', char: '🙃' },
  { id: 'cry', char: '😢' },
  { id: 'sob', char: '😭' },
  { id: 'scream', char: '😱' },
  { id: 'angry', char: '😠' },
  { id: 'clap', char: '👏' },
  { id: 'raisedHands', char: '🙌' },
  { id: 'okHand', char: '👌' },
  { id: 'muscle', char: '💪' },
  { id: 'wave', char: '👋' },
  { id: 'bow', char: '🙇' },
  { id: 'thumbsDown', char: '👎' },
  { id: 'rocket', char: '🚀' },
  { id: 'star', char: '⭐' },
  { id: 'hundred', char: '💯' },
  { id: 'bulb', char: '💡' },
  { id: 'warning', char: '⚠️' },
  { id: 'cross', char: '❌' },
  { id: 'question', char: '❓' },
  { id: 'coffee', char: '☕' },
  { id: 'pizza', char: '🍕' },
] as const;

export type EmojiId = (typeof EMOJI)[number]['id'];

/** The first row of the picker: the reactions people use most. */
export const QUICK = 8;

const byChar = new Map<string, EmojiId>(EMOJI.map((e) => [e.char, e.id]));

/** The id of a known emoji character (for its name), or null for others the server accepted. */
export function emojiId(char: string): EmojiId | null {
  return byChar.get(char) ?? byChar.get(char.replace(/\uFE0F/g, '')) ?? null;
}
