//! Where each part goes for a terminal size. The rows a page holds, which the reducer needs
//! too, are `console::state::list_page`.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::console::state::Focus;

/// Below this the console asks for a larger terminal.
pub const MIN_WIDTH: u16 = 50;
/// Below this the console asks for a larger terminal.
pub const MIN_HEIGHT: u16 = 12;
/// From this width the list and the detail sit side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 110;

/// The areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The saved views' tabs, one line above the list, when the list shows.
    pub tabs: Option<Rect>,
    /// The chat list, when shown.
    pub list: Option<Rect>,
    /// The detail, when shown.
    pub detail: Option<Rect>,
    /// The status bar.
    pub status: Rect,
}

/// Whether the terminal is too small to draw.
pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

/// Splits the screen: side by side when wide, the focused pane alone when narrow.
pub fn areas(area: Rect, focus: Focus) -> Areas {
    let [main, status] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(1)])
        .areas(area);
    if area.width >= SIDE_BY_SIDE_WIDTH {
        let [list, detail] = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(56), Constraint::Percentage(44)])
            .areas(main);
        let (tabs, list) = under_tabs(list);
        Areas {
            tabs: Some(tabs),
            list: Some(list),
            detail: Some(detail),
            status,
        }
    } else {
        match focus {
            Focus::List => {
                let (tabs, list) = under_tabs(main);
                Areas {
                    tabs: Some(tabs),
                    list: Some(list),
                    detail: None,
                    status,
                }
            }
            Focus::Detail => Areas {
                tabs: None,
                list: None,
                detail: Some(main),
                status,
            },
        }
    }
}

/// The tabs' line at the top of the list's column, and the list under it.
fn under_tabs(column: Rect) -> (Rect, Rect) {
    let [tabs, list] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(1), Constraint::Min(1)])
        .areas(column);
    (tabs, list)
}
