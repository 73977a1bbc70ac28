"""The counselors' web console (zh-CN): server-rendered pages over the same domain functions the
JSON API calls, signed in with a counselor account (session cookie + CSRF token)."""
