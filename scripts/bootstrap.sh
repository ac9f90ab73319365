# shellcheck shell=bash
# Installs what the project needs on a Debian/Ubuntu machine. Sourced by bin/dev and .ci/run;
# every function is idempotent and quick when there is nothing to do.

MFK_ROOT="${MFK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

# Debian packages: PHP and its extensions for WordPress, MariaDB, Chromium for browser tests,
# zip for the plugin package, the archive keyring for fetching WordPress from Debian, Redis and
# openssl for the tests of sidecar replicas sharing state over HTTPS.
MFK_APT_PACKAGES=(
	php-cli php-mysql php-xml php-mbstring php-curl php-gd php-intl php-zip
	mariadb-server mariadb-client
	redis-server openssl
	chromium
	zip unzip
	ca-certificates debian-archive-keyring
)

# The Node version the project declares in package.json "engines".
MFK_NODE_MIN="22.19.0"

mfk_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
mfk_die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

mfk_as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		mfk_die "root (or sudo) is needed to run: $*"
	fi
}

mfk_missing_apt_packages() {
	local package
	for package in "${MFK_APT_PACKAGES[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
			printf '%s ' "$package"
		fi
	done
}

# Installs the Debian packages. With "always", refreshes the package lists and installs even
# when everything seems present (CI); otherwise only when something is missing.
mfk_ensure_system_packages() {
	local missing
	missing="$(mfk_missing_apt_packages)"
	if [ -z "$missing" ] && [ "${1:-}" != always ]; then
		return 0
	fi
	mfk_say "Installing system packages: ${missing:-${MFK_APT_PACKAGES[*]}}"
	mfk_as_root env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get update -qq
	mfk_as_root env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends \
		"${MFK_APT_PACKAGES[@]}" >/dev/null
}

# True when the given node binary is at least MFK_NODE_MIN.
mfk_node_ok() {
	"$1" -e '
		const want = process.argv[1].split(".").map(Number);
		const have = process.versions.node.split(".").map(Number);
		for (let i = 0; i < 3; i++) { if (have[i] !== want[i]) process.exit(have[i] > want[i] ? 0 : 1); }
	' "$MFK_NODE_MIN" >/dev/null 2>&1
}

# Uses the machine's node when it is new enough; otherwise installs the Node 22 runtime from
# the npm registry package node-linux-<arch> (a plain binary, no install script) into
# .tools/node22 and puts it first on PATH, so npm and every script run on Node 22.
mfk_ensure_node() {
	if command -v node >/dev/null 2>&1 && mfk_node_ok node; then
		return 0
	fi
	local arch
	case "$(uname -m)" in
		x86_64 | amd64) arch=x64 ;;
		aarch64 | arm64) arch=arm64 ;;
		*) mfk_die "no Node 22 runtime package for $(uname -m); install Node >= $MFK_NODE_MIN" ;;
	esac
	local bin="$MFK_ROOT/.tools/node22/node_modules/node-linux-$arch/bin"
	if ! { [ -x "$bin/node" ] && mfk_node_ok "$bin/node"; }; then
		command -v npm >/dev/null 2>&1 || mfk_die "Node.js with npm is required (any version; Node $MFK_NODE_MIN is installed from it)"
		mfk_say "Installing the Node 22 runtime into .tools/node22 (node-linux-$arch@22 from the npm registry)"
		mkdir -p "$MFK_ROOT/.tools/node22"
		npm install --prefix "$MFK_ROOT/.tools/node22" --no-save --no-package-lock \
			--no-audit --no-fund "node-linux-$arch@22"
		mfk_node_ok "$bin/node" || mfk_die "the installed runtime is older than $MFK_NODE_MIN"
	fi
	export PATH="$bin:$PATH"
}

# npm packages: `npm ci` when node_modules is missing; when package-lock.json changed since the
# last install, a non-destructive `npm install` brings node_modules in line.
mfk_ensure_npm_packages() {
	cd "$MFK_ROOT" || return 1
	if [ ! -d node_modules ]; then
		mfk_say "Installing npm packages (npm ci)"
		npm ci --no-audit --no-fund
	elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
		mfk_say "package-lock.json changed: updating node_modules (npm install)"
		npm install --no-audit --no-fund
	fi
}

mfk_build() {
	cd "$MFK_ROOT" || return 1
	mfk_say "Building blocks and admin scripts"
	npm run --silent build:blocks
	if [ -f scripts/build-sidecar.mjs ]; then
		mfk_say "Building the sidecar and the Google emulator"
		npm run --silent build:sidecar
	fi
	npm run --silent build:pot
}
