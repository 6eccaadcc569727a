#!/usr/bin/env bash
# `balcao inbox list --filter Q` over a 100k-chat index against `fzf --filter Q` over the same
# chats exported as lines (one line per chat: the fields the filter searches), in one hyperfine
# run per query, and the ratio. Installs fzf, hyperfine and sqlite3 when missing.
#
#   scripts/bench-filter.sh [CHATS]     (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
chats=${1:-100000}

packages=()
command -v fzf >/dev/null 2>&1 || packages+=(fzf)
command -v hyperfine >/dev/null 2>&1 || packages+=(hyperfine)
command -v sqlite3 >/dev/null 2>&1 || packages+=(sqlite3)
if ((${#packages[@]})); then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}"
fi

cargo build --release --locked --bin balcao
balcao=$PWD/target/release/balcao

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No configuration and a data dir of its own: the bench reads only the index it made.
export BALCAO_DATA_DIR=$work XDG_CONFIG_HOME=$work/no-config LANG=C.UTF-8
index=$work/inbox.sqlite3
# Opening the index creates it with its schema; then the chats, as benches/index.rs makes them:
# accented names, numbers, an agent on four in five, a last message, windows open and closed.
"$balcao" --index "$index" inbox list >/dev/null 2>&1
now=$(($(date +%s) * 1000))
sqlite3 "$index" <<SQL
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $chats),
first(k, name) AS (VALUES (0, 'Mariana'), (1, 'João'), (2, 'Conceição'), (3, 'Zé'), (4, 'Ícaro'),
    (5, 'Letícia'), (6, 'Antônio'), (7, '田中')),
last(k, name) AS (VALUES (0, 'Araújo'), (1, 'Gonçalves'), (2, 'Silva'), (3, 'Magalhães'),
    (4, 'Peçanha'), (5, 'do Açaí 🍇'))
INSERT INTO chats (account, provider, chat_id, status, priority, contact, contact_number,
    responsible_user_id, responsible_name, unread, last_message_at, last_message_preview,
    last_message_from_me, window_ends_at, first_seen_at, hydrated_at, source, needs_hydration)
SELECT 'default', 'wegly', printf('%08x-0000-4000-8000-000000000000', i),
    CASE i % 4 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'RESOLVED' WHEN 2 THEN 'CLOSED' ELSE 'SNOOZED' END,
    i % 4,
    (SELECT name FROM first WHERE k = i % 8) || ' ' || (SELECT name FROM last WHERE k = i % 6)
        || ' ' || i,
    printf('55119%08d', i),
    CASE WHEN i % 5 <> 0 THEN 'user-' || (i % 14) END,
    CASE WHEN i % 5 <> 0 THEN 'Agente ' || (i % 14) END,
    i % 7, $now - i * 60000, 'Oi, meu pedido ainda não chegou, podem verificar?', i % 2 = 0,
    $now + ((i % 2000) - 600) * 60000, $now, $now, 'webhook', 0
FROM n;
SQL
# The same chats as lines, with the fields the filter searches: name, number, last message,
# responsible, line, account and id.
lines=$work/chats.txt
sqlite3 -separator ' | ' "$index" "SELECT contact, contact_number, last_message_preview,
    COALESCE(responsible_name, ''), COALESCE(line, ''), account, chat_id FROM chats" >"$lines"
echo "$(wc -l <"$lines") chats; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"

for query in conceicao jgonc zeacai; do
    echo
    echo "== $query: balcao $("$balcao" --index "$index" inbox list --filter "$query" | wc -l) chats," \
        "fzf $(fzf --filter "$query" <"$lines" | wc -l) lines"
    # -i: fzf exits 1 when nothing matches.
    hyperfine -i --warmup 3 --export-json "$work/$query.json" \
        "$balcao --index $index inbox list --filter $query" \
        "fzf --filter $query < $lines"
    # The ratio of the medians: fzf's time over balcão's (above 1: balcão is faster).
    python3 - "$work/$query.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
balcao, fzf = (r["median"] for r in results)
print(f"median: balcao {balcao * 1000:.1f} ms, fzf {fzf * 1000:.1f} ms, "
      f"balcao is {fzf / balcao:.2f}x as fast as fzf")
PY
done
