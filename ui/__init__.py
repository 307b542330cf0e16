"""Browser chat for Newsdesk (Gradio). `ui.app.build_app(desk)` builds it; `newsdesk chat` serves it."""
