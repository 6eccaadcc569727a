//! Console benchmarks: one update + render at 160x45 with 10k and 100k chats (and with 100k of
//! which 50k are marked), one filter keystroke and its frame over 100k chats, one sort cycle over 100k, and
//! start to first frame from a 100k-chat index.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use balcao::console::action::Action;
use balcao::console::keymap::Keymap;
use balcao::console::msg::Msg;
use balcao::console::state::State;
use balcao::console::ui;
use balcao::console::update::update;
use balcao::i18n::Lang;
use balcao::sandbox::seed::Seed;
use balcao::sandbox::world::World;
use balcao::store::{ChatKey, ChatSummary, Columns, Source, Store};
use chrono::Utc;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZE: (u16, u16) = (160, 45);

/// `count` rows made from the seeded chats, each with its own id.
fn rows(count: usize) -> Vec<ChatSummary> {
    let now = Utc::now();
    let world = World::from_seed(&Seed::bundled().unwrap(), now);
    let seeded: Vec<Columns> = world
        .chat_ids()
        .iter()
        .map(|id| Columns::from(&world.get_chat(&id.to_string()).unwrap()))
        .collect();
    (0..count)
        .map(|n| {
            let mut columns = seeded[n % seeded.len()].clone();
            columns.contact = columns.contact.map(|c| format!("{c} {n}"));
            ChatSummary {
                key: ChatKey::wegly("default", &format!("{n:08x}-0000-4000-8000-000000000000")),
                columns,
                first_seen_at: now,
                last_event_at: Some(now),
                hydrated_at: Some(now),
                source: Source::Webhook,
                gone: false,
                needs_hydration: false,
                last_error: None,
            }
        })
        .collect()
}

fn loaded(count: usize) -> State {
    let mut state = State::new(Lang::En, Utc::now(), "default".to_owned());
    update(&mut state, Msg::Resize(SIZE.0, SIZE.1));
    update(&mut state, Msg::Rows(rows(count)));
    state
}

/// Times one update (the first of `steps`, then the second the next time, and so on) and the
/// frame it draws, as `id`.
fn update_and_draw(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    state: &mut State,
    keymap: &Keymap,
    steps: &[Msg; 2],
) {
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    let mut first = true;
    group.bench_function(id, |b| {
        b.iter(|| {
            let step = if first { &steps[0] } else { &steps[1] };
            first = !first;
            update(state, step.clone());
            terminal.draw(|f| ui::render(state, keymap, f)).unwrap();
        });
    });
}

/// A page down, then a page up.
const PAGING: [Msg; 2] = [Msg::Action(Action::PageDown), Msg::Action(Action::PageUp)];

/// A key typed into the filter line.
fn key(code: KeyCode) -> Msg {
    Msg::Input(KeyEvent::new(code, KeyModifiers::NONE))
}

fn frame(c: &mut Criterion) {
    let keymap = Keymap::defaults().unwrap();
    let mut group = c.benchmark_group("console");
    for count in [10_000, 100_000] {
        let mut state = loaded(count);
        let id = BenchmarkId::new("update_and_render_frame", count);
        update_and_draw(&mut group, id, &mut state, &keymap, &PAGING);
    }
    // Half the list marked (every other chat, so marks are on screen and off it): a frame draws
    // the mark column and the title's count.
    let mut state = loaded(100_000);
    for _ in 0..50_000 {
        update(&mut state, Msg::Action(Action::ToggleMark));
        update(&mut state, Msg::Action(Action::SelectNext));
    }
    assert_eq!(state.inbox.marks().len(), 50_000);
    update(&mut state, Msg::Action(Action::SelectFirst));
    let id = BenchmarkId::new("update_and_render_frame_50000_marked", 100_000);
    update_and_draw(&mut group, id, &mut state, &keymap, &PAGING);
    group.bench_function("cycle_sort/100000", |b| {
        b.iter(|| {
            update(&mut state, Msg::Action(Action::CycleSort));
            state.inbox.visible_len()
        });
    });
    // A keystroke in the filter line and the frame it draws: the filter evaluated again over
    // 100k chats (fuzzy, ranked) and the rows on screen drawn with their matches highlighted.
    // `mari` then `a` and backspace in turn (the longer query searches only what `mari` found;
    // the backspace finds `mari`'s result kept), and a first key over the whole list.
    let mut state = loaded(100_000);
    update(&mut state, Msg::Action(Action::Filter));
    for c in "mari".chars() {
        update(&mut state, key(KeyCode::Char(c)));
    }
    let id = BenchmarkId::new("filter_keystroke_and_frame", 100_000);
    let typing = [key(KeyCode::Char('a')), key(KeyCode::Backspace)];
    update_and_draw(&mut group, id, &mut state, &keymap, &typing);
    let mut state = loaded(100_000);
    update(&mut state, Msg::Action(Action::Filter));
    let id = BenchmarkId::new("filter_first_keystroke_and_frame", 100_000);
    let typing = [key(KeyCode::Char('m')), key(KeyCode::Backspace)];
    update_and_draw(&mut group, id, &mut state, &keymap, &typing);
    group.finish();
}

fn start_to_first_frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open_in(dir.path()).unwrap();
        let all = rows(100_000);
        for chunk in all.chunks(5_000) {
            let batch: Vec<_> = chunk
                .iter()
                .map(|row| (row.key.clone(), "{}".to_owned(), row.columns.clone()))
                .collect();
            store.save_details(&batch, Utc::now()).unwrap();
        }
    }
    let keymap = Keymap::defaults().unwrap();
    let mut group = c.benchmark_group("console");
    group.sample_size(10);
    group.bench_function("start_to_first_frame/100000", |b| {
        b.iter(|| {
            // As the console starts: the most urgent screenful first (the full load follows in
            // the background and is measured by the index benchmark).
            let store = Store::open_in(dir.path()).unwrap();
            let mut state = State::new(Lang::En, Utc::now(), "default".to_owned());
            update(&mut state, Msg::Resize(SIZE.0, SIZE.1));
            let page = balcao::console::state::list_page(SIZE);
            update(
                &mut state,
                Msg::FirstPage(store.first_page(Utc::now(), page).unwrap()),
            );
            let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
            terminal.draw(|f| ui::render(&state, &keymap, f)).unwrap();
        });
    });
    group.bench_function("load_all_rows_into_the_list/100000", |b| {
        let store = Store::open_in(dir.path()).unwrap();
        b.iter(|| {
            let mut state = State::new(Lang::En, Utc::now(), "default".to_owned());
            update(&mut state, Msg::Rows(store.summaries().unwrap()));
            state.inbox.visible_len()
        });
    });
    group.finish();
}

criterion_group!(benches, frame, start_to_first_frame);
criterion_main!(benches);
