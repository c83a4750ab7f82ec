# Vigil — the two commands a newcomer needs are `make demo` and `make test`; both install first.
SHELL := /bin/bash
NODE_STAMP := node_modules/.vigil-installed
VIGIL := node bin/vigil.js

.PHONY: demo test lint typecheck unit bench firmware flash install clean

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NODE_STAMP)

demo: install firmware
	$(VIGIL) demo

test: install
	npx tsc --noEmit -p tsconfig.json
	npx eslint .
	npx jest --ci

lint: install
	npx tsc --noEmit -p tsconfig.json
	npx eslint .

unit: install
	npx jest --ci

firmware: install
	npx tsx firmware/tools/build.ts

bench: install
	@ls bench/*.ts >/dev/null 2>&1 && for b in bench/*.ts; do echo "== $$b"; npx tsx $$b || exit 1; done || echo "no benchmarks yet"

# make flash BOARD=puckjs PORT=aa:bb:cc:dd:ee:ff   (BLE address or /dev/ttyACM0; needs a Bluetooth adapter or USB)
flash: firmware
	@test -n "$(BOARD)" -a -n "$(PORT)" || { echo "usage: make flash BOARD=puckjs|bangle2|lora PORT=<address or tty>"; exit 2; }
	npx --yes espruino@0.1.67 -p "$(PORT)" --config SAVE_ON_SEND=1 --config PRETOKENISE=2 firmware/dist/$(BOARD).js

clean:
	rm -rf firmware/dist var coverage
