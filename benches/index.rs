//! Inbox index benchmarks: loading every chat summary at start, and filtering and sorting
//! them as `inbox list` (and the console) do, at 10k and 100k chats.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use balcao::i18n::Lang;
use balcao::inbox::{Filter, select};
use balcao::store::{ChatKey, Columns, Store};
use chrono::{Duration, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const FIRST: &[&str] = &[
    "Mariana",
    "João",
    "Conceição",
    "Zé",
    "Ícaro",
    "Letícia",
    "Antônio",
    "田中",
];
const LAST: &[&str] = &[
    "Araújo",
    "Gonçalves",
    "Silva",
    "Magalhães",
    "Peçanha",
    "do Açaí 🍇",
];

/// A temp index with `count` hydrated chats (about 1 KiB of detail each).
fn index_with(count: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let now = Utc::now();
    let detail = format!("{{\"pad\":\"{}\"}}", "x".repeat(1000));
    for chunk in (0..count).collect::<Vec<_>>().chunks(5_000) {
        let batch: Vec<(ChatKey, String, Columns)> = chunk
            .iter()
            .map(|&n| {
                let columns = Columns {
                    status: Some(["OPEN", "RESOLVED", "CLOSED", "SNOOZED"][n % 4].to_owned()),
                    priority: Some(i64::try_from(n % 4).unwrap()),
                    contact: Some(format!(
                        "{} {} {n}",
                        FIRST[n % FIRST.len()],
                        LAST[n % LAST.len()]
                    )),
                    contact_number: Some(format!("55119{n:08}")),
                    responsible_user_id: (n % 5 != 0).then(|| format!("user-{}", n % 14)),
                    responsible_name: (n % 5 != 0).then(|| format!("Agente {}", n % 14)),
                    unread: i64::try_from(n % 7).unwrap(),
                    last_message_at: Some(now - Duration::minutes(i64::try_from(n).unwrap())),
                    last_message_preview: Some(
                        "Oi, meu pedido ainda não chegou, podem verificar?".to_owned(),
                    ),
                    last_message_from_me: Some(n % 2 == 0),
                    window_ends_at: Some(
                        now + Duration::minutes(i64::try_from(n % 2000).unwrap() - 600),
                    ),
                    ..Columns::default()
                };
                (
                    ChatKey::wegly("default", &format!("{n:08x}-0000-4000-8000-000000000000")),
                    detail.clone(),
                    columns,
                )
            })
            .collect();
        store.save_details(&batch, now).unwrap();
    }
    (dir, store)
}

fn load_summaries(c: &mut Criterion) {
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    for count in [10_000, 100_000] {
        let (_dir, store) = index_with(count);
        group.bench_with_input(
            BenchmarkId::new("load_all_summaries", count),
            &store,
            |b, store| {
                b.iter(|| store.summaries().unwrap().len());
            },
        );
        let rows = store.summaries().unwrap();
        let filter = Filter::parse("unread conceicao", Lang::En).unwrap();
        group.bench_with_input(
            BenchmarkId::new("filter_and_sort", count),
            &rows,
            |b, rows| {
                let now = Utc::now();
                let me = std::collections::HashMap::new();
                b.iter(|| select(rows, &filter, &me, now).len());
            },
        );
    }
    group.finish();
}

criterion_group!(benches, load_summaries);
criterion_main!(benches);
