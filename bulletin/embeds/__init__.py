"""Posts and videos from other sites inside a story: Telegram, X, YouTube, Vimeo, Facebook, Instagram, TikTok and
SoundCloud (docs/editing.md, "Embeds").

An embed is resolved once, when the story is saved, with Wagtail's embed finders (oEmbed; a finder of our own for
Telegram's post pages) and kept in the database with its thumbnail as a local file. Reader pages show a static card
and load the provider's player only when the reader asks for it, so the page makes no request to a third party
until then. The lowest layer beside newsroom: it imports Django and Wagtail only, and newsroom's story body uses its
block (docs/architecture.md).
"""
