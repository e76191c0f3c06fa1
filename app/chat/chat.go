// Package chat is team chat: channels, direct messages, threads, reactions,
// pins, mentions, read state and notifications.
package chat

// Service runs the chat use-cases.
type Service struct{}
