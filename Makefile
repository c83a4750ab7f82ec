# Vigil — the two commands a newcomer needs are `make demo` and `make test`; both install first.
SHELL := /bin/bash
NODE_STAMP := node_modules/.vigil-installed
VIGIL := node bin/vigil.js

.PHONY: demo test lint typecheck unit bench bench-scale firmware web-firmware flash install clean screenshots check-espruino record-espruino fuzz

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

# Hostile input on every external surface (docs/security.md): FUZZ_RUNS inputs per surface (default
# 1,000,000), in one process with the garbage collector exposed; a finding is shrunk and saved to
# test/fuzz/corpus/, whose entries replay in `make test`. `make fuzz SURFACES="http mqtt"` picks some.
fuzz: install
	node --expose-gc -r tsx/cjs test/fuzz/run.ts $(SURFACES)

# Re-takes docs/screenshots/*.png from the browser tests (an ordinary test run writes them to a temp dir).
screenshots: install
	VIGIL_SCREENSHOTS=1 npx jest --ci test/web

firmware: install
	npx tsx firmware/tools/build.ts

# The centre's copy of what the worker app runs of the firmware (centre/web/app/detect.js); after a
# change of firmware/src/lib/detect.js (test/centre/firmware-copy.test.ts fails until then).
web-firmware: install
	npx tsx centre/tools/firmware-copy.ts

bench: install
	@ls bench/*.ts >/dev/null 2>&1 && for b in $$(ls bench/*.ts | grep -v '^bench/scale'); do echo "== $$b"; npx tsx $$b || exit 1; done || echo "no benchmarks yet"

# Three centre workers on PostgreSQL, two broker nodes on Redis, 50,000 pendants, a kill -9 of each
# (docs/scale.md); then a single node for comparison. Needs postgresql and redis-server installed.
bench-scale: install
	npx tsx bench/scale.ts

# make flash BOARD=puckjs|bangle2|lora PORT=<BLE address or /dev/ttyACM0> [SETTINGS=vigil.json]
# Uploads firmware/dist/$(BOARD).js pretokenised, saved to flash so it runs at every power-on
# (SAVE_ON_SEND=1 writes .bootcde), sets the clock (-t) and, with SETTINGS, writes the pendant's
# settings file to Storage as vigil.json (docs/firmware.md). BLE needs a Bluetooth adapter.
flash: firmware
	@case "$(BOARD)" in puckjs|bangle2|lora) ;; *) echo "usage: make flash BOARD=puckjs|bangle2|lora PORT=<address or tty> [SETTINGS=vigil.json]"; exit 2;; esac
	@test -n "$(PORT)" || { echo "usage: make flash BOARD=puckjs|bangle2|lora PORT=<address or tty> [SETTINGS=vigil.json]"; exit 2; }
	@test -z "$(SETTINGS)" -o -f "$(SETTINGS)" || { echo "settings file $(SETTINGS) not found"; exit 2; }
	npx --yes espruino@0.1.67 -p "$(PORT)" -t --config RESET_BEFORE_SEND=true --config SAVE_ON_SEND=1 --config PRETOKENISE=2 \
	  $(if $(SETTINGS),--storage vigil.json:$(SETTINGS)) firmware/dist/$(BOARD).js

# The release check that needs no hardware (docs/firmware.md "The real interpreter"): every board's built
# firmware in a real Espruino interpreter, a Linux build of its public source made by the developer
# (never part of this repository). ESPRUINO_BANGLE: a build with the Bangle.js 2 layout (else ESPRUINO).
# Not in CI. record-espruino records the stand-in's conformance fixtures (firmware/check/fixtures).
ESPRUINO_BANGLE ?= $(ESPRUINO)
check-espruino: install firmware
	@test -n "$(ESPRUINO)" || { echo "usage: make check-espruino ESPRUINO=<Linux build of Espruino, Puck.js layout> [ESPRUINO_BANGLE=<Bangle.js 2 layout>]"; exit 2; }
	ESPRUINO="$(ESPRUINO)" ESPRUINO_BANGLE="$(ESPRUINO_BANGLE)" npx tsx firmware/check/check-espruino.ts

record-espruino: install firmware
	@test -n "$(ESPRUINO)" || { echo "usage: make record-espruino ESPRUINO=<Puck.js layout build> ESPRUINO_BANGLE=<Bangle.js 2 layout build>"; exit 2; }
	npx tsx firmware/check/record.ts --puck "$(ESPRUINO)" --bangle "$(ESPRUINO_BANGLE)"
	ESPRUINO="$(ESPRUINO)" ESPRUINO_BANGLE="$(ESPRUINO_BANGLE)" npx tsx firmware/check/check-espruino.ts --record

clean:
	rm -rf firmware/dist var coverage
