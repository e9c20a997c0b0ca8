# Convenience targets; ./run and ./test are the canonical commands (see README).
.PHONY: run test lint bundle
run:
	./run
test:
	./test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# The PyInstaller bundle dist/shoumen/ and its self-test with the system libzbar hidden (as root).
bundle:
	scripts/install-system-deps.sh && scripts/setup-venv.sh && scripts/bundle.sh
