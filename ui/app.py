"""The Gradio app: `build_app(desk)` builds it around a `qa.Newsdesk`, `launch(...)` serves it."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from qa import NewsdeskError

from ui import articles, chat, render
from ui import feeds as feed_panel
from ui.style import CSS, HEAD
from ui.uploads import ACCEPTED_SUFFIXES

EXAMPLES = [
    "When did Türkiye and Israel begin technical talks?",
    "Who offered himself as a mediator between Israel and Türkiye?",
    "How did the Port Calder town council vote on the North Quay ferry terminal?",
    "When is the North Quay ferry terminal in Port Calder now expected to open?",
    "How much will Kestrel Batteries spend on its Marrowfield factory?",
    "On what date did the Lake Tamsin beaches reopen?",
]
EMPTY_STATE = (
    "### Nothing is indexed yet\n"
    "Open the **Articles** tab and upload article files (txt, md, html, json, jsonl, csv, xml, rss, atom) "
    "or paste a feed URL, or run `newsdesk ingest samples/articles/` in a terminal. Then come back and ask."
)
PLACEHOLDER = (
    "**Ask a question about your news articles.**\n\n"
    "Answers cite the articles they come from: click a [n] marker to see the quoted passage."
)


def concurrency_for(max_in_flight: int) -> int:
    """Gradio's queue runs as many chat turns at once as the engine admits (`max_in_flight`): with the local
    model they retrieve and show sources in parallel and take turns only for the drafting."""
    return max_in_flight


def _info_markdown(info: dict[str, Any]) -> str:
    rows = [
        ("LLM backend", info.get("llm")), ("LLM model", info.get("llm_model")),
        ("Embedding model", info.get("embed_model")), ("Indexed articles", info.get("articles")),
        ("Indexed chunks", info.get("chunks")), ("Data directory", info.get("data_dir")),
    ]
    table = "\n".join(f"| {name} | {html.escape(str(value))} |" for name, value in rows)
    return (
        "| Setting | Value |\n|---|---|\n" + table + "\n\nChange them with `newsdesk chat --llm ... --data-dir ...`, "
        "`NEWSDESK_*` environment variables or `config.toml` in the data directory."
    )


def build_app(desk: Any) -> gr.Blocks:
    """The whole app (Chat, Articles, Settings tabs) around one Newsdesk; state is per browser session."""
    desk.info()  # opens the store once here: Chroma's client creation is not safe from concurrent threads

    def refresh(query: str = "") -> tuple:
        info = desk.info()
        empty = info.get("articles", 0) == 0
        return (
            gr.update(visible=empty),
            gr.update(choices=desk.sources()),
            _info_markdown(info),
            articles.article_rows(desk, query),
            gr.update(choices=articles.removal_choices(desk), value=None),
        )

    def respond(question: str, state: dict, sources: list[str], since: str, until: str):
        question = (question or "").strip()
        if not question:
            yield state["view"], render.sources_panel(state["sections"]), state, ""
            return
        for view, panel, new_state in chat.run_turn(desk, question, state, sources, since, until):
            yield view, panel, new_state, ""

    def clear() -> tuple:
        fresh = chat.new_session()
        return [], render.sources_panel([]), fresh

    def add(files: list[str] | None, feed_url: str, query: str, progress=gr.Progress()):
        summary, rows = articles.add_to_index(
            desk, files, feed_url, lambda done, total: progress((done, total or None), unit="articles"))
        return (summary, rows, None, "") + refresh(query)

    def remove(article_id: str | None, query: str):
        return (articles.remove_article(desk, article_id),) + refresh(query)

    def ask(question: str, sources: list[str] | None = None, since: str | None = None,
            until: str | None = None) -> dict:
        """Answer one question from the indexed articles; returns Answer.to_json() (answer, citations, refused...)."""
        try:
            filters = chat.make_filters(sources, since, until)
            return desk.ask(question, filters).to_json()
        except (chat.FilterError, NewsdeskError) as exc:
            raise gr.Error(str(exc)) from None

    def list_articles() -> list[dict]:
        """The indexed articles: id, title, source, url, published_at, chunks."""
        return [{"id": r.id, "title": r.title, "source": r.source, "url": r.url,
                 "published_at": r.published_at, "chunks": r.chunks} for r in desk.articles()]

    with gr.Blocks(title="Newsdesk", analytics_enabled=False) as demo:
        state = gr.State(chat.new_session())
        gr.Markdown("# Newsdesk\nAsk questions about your news articles. Every answer cites its sources.",
                    elem_id="nd-header")
        empty_note = gr.Markdown(EMPTY_STATE, visible=False, elem_id="nd-empty-state")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            elem_id="nd-chat", height=520, show_label=False, placeholder=PLACEHOLDER,
                            feedback_options=None, buttons=["copy"], group_consecutive_messages=False,
                            latex_delimiters=[],
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                show_label=False, placeholder="Ask about your articles, e.g. "
                                "When did Türkiye and Israel begin technical talks?", scale=6, elem_id="nd-question",
                                autofocus=True, max_lines=4)
                            ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="nd-ask")
                        with gr.Row():
                            clear_button = gr.Button("Clear conversation", size="sm", elem_id="nd-clear")
                        with gr.Accordion("Filters (apply to the next question)", open=False):
                            source_filter = gr.Dropdown(choices=desk.sources(), multiselect=True,
                                                        label="Sources", elem_id="nd-filter-sources")
                            with gr.Row():
                                since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD",
                                                   elem_id="nd-since")
                                until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD",
                                                   elem_id="nd-until")
                        gr.Examples(EXAMPLES, inputs=question, label="Try asking")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources_panel = gr.HTML(render.sources_panel([]), elem_id="nd-sources")
            with gr.Tab("Articles", id="articles"):
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label="Upload article files", file_count="multiple", type="filepath",
                                        file_types=list(ACCEPTED_SUFFIXES), elem_id="nd-upload")
                        feed_url = gr.Textbox(label="…or an RSS/Atom feed URL", placeholder="https://example.org/feed.xml",
                                              elem_id="nd-feed")
                        add_button = gr.Button("Add to index", variant="primary", elem_id="nd-add")
                    with gr.Column():
                        ingest_status = gr.Markdown(elem_id="nd-ingest-status")
                        results = gr.Dataframe(headers=articles.RESULT_HEADERS, interactive=False, wrap=True,
                                               label="Result per file", elem_id="nd-results")
                gr.Markdown("### Indexed articles")
                search = gr.Textbox(label="Search (title, source or id)", elem_id="nd-search")
                table = gr.Dataframe(headers=articles.ARTICLE_HEADERS, interactive=False, wrap=True,
                                     elem_id="nd-articles")
                with gr.Row():
                    remove_pick = gr.Dropdown(label="Remove an article", choices=[], scale=4,
                                              elem_id="nd-remove-pick")
                    remove_button = gr.Button("Remove", variant="stop", scale=1, elem_id="nd-remove")
                remove_status = gr.Markdown(elem_id="nd-remove-status")
                gr.Markdown("### Watched feeds\nNew entries of these feeds are indexed as they appear.")
                watch_note = gr.Markdown(feed_panel.watch_note(desk), elem_id="nd-watch-note")
                with gr.Row():
                    watch_url = gr.Textbox(label="Feed URL", placeholder="https://example.org/feed.xml", scale=4,
                                           elem_id="nd-watch-url")
                    watch_every = gr.Number(label="Every (minutes)", value=desk.settings.feed_interval_min,
                                            minimum=0.05, scale=1, elem_id="nd-watch-every")
                with gr.Row():
                    watch_button = gr.Button("Watch feed", variant="primary", elem_id="nd-watch-add")
                    unwatch_button = gr.Button("Stop watching", variant="stop", elem_id="nd-watch-remove")
                    feeds_refresh = gr.Button("Refresh", elem_id="nd-watch-refresh")
                watch_status = gr.Markdown(elem_id="nd-watch-status")
                feeds_table = gr.Dataframe(headers=feed_panel.FEED_HEADERS, interactive=False, wrap=True,
                                           elem_id="nd-feeds")
            with gr.Tab("Settings", id="settings"):
                info_md = gr.Markdown(elem_id="nd-info")

        refreshed = [empty_note, source_filter, info_md, table, remove_pick]
        chat_io = dict(fn=respond, inputs=[question, state, source_filter, since, until],
                       outputs=[chatbot, sources_panel, state, question], api_visibility="private")
        question.submit(**chat_io)
        ask_button.click(**chat_io)
        clear_button.click(clear, outputs=[chatbot, sources_panel, state], api_visibility="private")
        chatbot.clear(clear, outputs=[chatbot, sources_panel, state], api_visibility="private")  # its trash icon
        add_button.click(add, inputs=[files, feed_url, search],
                         outputs=[ingest_status, results, files, feed_url] + refreshed, api_visibility="private")
        remove_button.click(remove, inputs=[remove_pick, search], outputs=[remove_status] + refreshed,
                            api_visibility="private")
        search.change(lambda q: articles.article_rows(desk, q), inputs=search, outputs=table,
                      api_visibility="private")
        demo.load(refresh, inputs=search, outputs=refreshed, api_visibility="private")
        watch_button.click(lambda url, every: feed_panel.add_feed(desk, url, every), inputs=[watch_url, watch_every],
                           outputs=[watch_status, feeds_table], api_visibility="private")
        unwatch_button.click(lambda url: feed_panel.remove_feed(desk, url), inputs=watch_url,
                             outputs=[watch_status, feeds_table], api_visibility="private")
        feeds_refresh.click(lambda: (feed_panel.watch_note(desk), feed_panel.feed_rows(desk)),
                            outputs=[watch_note, feeds_table], api_visibility="private")
        demo.load(lambda: feed_panel.feed_rows(desk), outputs=feeds_table, api_visibility="private")
        gr.api(ask, api_name="ask")
        gr.api(list_articles, api_name="articles")
    return demo


def page_options(upload_limit_mb: float, command: str) -> dict[str, Any]:
    """How the chat page is served, the same by `newsdesk chat` (Gradio's own server) and `newsdesk serve`
    (mounted in FastAPI). Gradio drops uploads over 4x the article size limit, so they never fill the disk."""
    return dict(max_file_size=f"{max(1, int(upload_limit_mb * 4))}mb", css=CSS, head=HEAD, ssr_mode=False,
                show_error=False,
                auth_message=f"Newsdesk: sign in with the user and password given to `newsdesk {command} --auth`.")


def launch(demo: gr.Blocks, max_in_flight: int = 8, host: str = "127.0.0.1", port: int | None = None, share: bool = False,
           auth: tuple[str, str] | None = None, block: bool = True, upload_limit_mb: float = 5.0) -> tuple[Any, str, str]:
    """Serve the app with a queue sized for the backend; `block=False` returns at once (tests).

    Gradio itself drops uploads over 4x the article size limit, so oversized files never fill the disk;
    between the two limits the Articles tab refuses them with a message.
    """
    demo.queue(default_concurrency_limit=concurrency_for(max_in_flight))
    return demo.launch(
        server_name=host, server_port=port, share=share, auth=auth, prevent_thread_lock=not block,
        quiet=not block, **page_options(upload_limit_mb, "chat"),
    )
