# Convenience targets; ./run and ./test are the canonical commands (see README).
.PHONY: run test lint bundle package
run:
	./run
test:
	./test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

# The PyInstaller bundle dist/shoumen/ and its self-test with the system libzbar hidden (as root).
bundle:
	scripts/install-system-deps.sh && scripts/setup-venv.sh && scripts/bundle.sh

# The Debian package dist/shoumen_<version>_<arch>.deb (xz) made from that bundle: /opt/shoumen,
# /usr/bin/shoumen, desktop entry, optional kiosk autostart (scripts/package.sh).
# `scripts/package.sh test` (as root, ./test runs it) installs, upgrades and removes it here.
package: bundle
	scripts/package.sh build
