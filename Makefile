# Convenience targets; ./run and ./test are the canonical commands (see README).
.PHONY: run test lint
run:
	./run
test:
	./test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy
