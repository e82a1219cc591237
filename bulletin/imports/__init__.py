"""Moving a newsroom in: `bulletin import ghost|wordpress` (docs/importing.md).

Readers (ghost.py, wordpress.py) stream an export and yield plain records (records.py); body.py, mobiledoc.py
and lexical.py turn their bodies into story blocks; media.py brings images in; loader.py writes everything in
bulk and remembers each object's source ID (models.py). Imports newsroom only.
"""
