# Shared by the scripts: make sure the system libraries tradewatch links against are present.
# Sourced, not run.

TRADEWATCH_APT_PACKAGES="libcurl4-openssl-dev libsqlite3-dev libxml2-dev zlib1g-dev libssl-dev pkg-config"

ensure_system_packages() {
    local missing=()
    local pkg
    for pkg in $TRADEWATCH_APT_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "==> installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "tradewatch needs these system packages; install them with:" >&2
        echo "  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "swift is not on PATH: tradewatch needs Swift 6.3 (https://www.swift.org/install/linux/)" >&2
        exit 1
    fi
}
