"""Limits of the HTTP API (`newsdesk serve`), each with the reason for its value."""

MAX_JSON_BYTES = 256 * 1024  # a chat request with a long history is a few KB; 256 KB leaves room, refuses floods
MAX_QUESTION_CHARS = 4000  # a question, even a pasted paragraph, fits; longer texts are documents, not questions
MAX_MESSAGES = 64  # chat history kept by clients; the engine reads only the last few turns anyway
MAX_UPLOAD_FILES = 20  # files per ingest request; bigger batches belong to `newsdesk ingest` on the machine
MAX_FEEDS = 10  # feed URLs per ingest request
UPLOAD_OVERHEAD_BYTES = 1024 * 1024  # multipart headers and form fields around the files
RETRY_AFTER_S = 1  # told to a client that hit the in-flight limit; answers free slots within about a second
SSE_WORDS_PER_CHUNK = 3  # words per streamed delta: smooth in a chat window, few events on the wire
