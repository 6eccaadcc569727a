//! Command-line arguments (product.md section 4 is the contract for these names).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

use crate::config::Overrides;
use crate::i18n::Lang;

/// balcão: the terminal inbox console for `WhatsApp` support desks on Wegly and Agilize.
#[derive(Debug, Parser)]
#[command(name = "balcao", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Options every command understands.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// Start the bundled sandbox and open the console on it.
    #[arg(long)]
    pub demo: bool,
    /// What to do; without one, the console opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command understands; each also comes from the environment.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Wegly API base URL [default: <https://api.wegly.com.br>].
    #[arg(long, env = "WEGLY_BASE_URL", global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Wegly integration token (sent as a Bearer token; never printed).
    #[arg(
        long,
        env = "WEGLY_TOKEN",
        global = true,
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// File holding the Wegly token (only its owner may read or write it); keeps the token out
    /// of `ps` and shell history. Wins over `WEGLY_TOKEN`.
    #[arg(long, env = "WEGLY_TOKEN_FILE", global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Agilize API base URL.
    #[arg(long, env = "AGILIZE_BASE_URL", global = true, value_name = "URL")]
    pub agilize_base_url: Option<String>,
    /// Agilize integration key (sent as x-api-key; never printed).
    #[arg(
        long,
        env = "AGILIZE_API_KEY",
        global = true,
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub agilize_key: Option<String>,
    /// File holding the Agilize key (only its owner may read or write it). Wins over
    /// `AGILIZE_API_KEY`.
    #[arg(long, env = "AGILIZE_API_KEY_FILE", global = true, value_name = "FILE")]
    pub agilize_key_file: Option<PathBuf>,
    /// Sent as Origin, for keys restricted by an allowed domain.
    #[arg(long, env = "BALCAO_ORIGIN", global = true, value_name = "URL")]
    pub origin: Option<String>,
    /// Configuration file.
    #[arg(long, env = "BALCAO_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where the inbox index and logs live.
    #[arg(long, env = "BALCAO_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Where the webhook receiver binds (loopback by default).
    #[arg(long, env = "BALCAO_LISTEN", global = true, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Secret that signs Wegly webhooks (never printed).
    #[arg(
        long,
        env = "BALCAO_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub webhook_secret: Option<String>,
    /// File holding the webhook secret (only its owner may read or write it). Wins over
    /// `BALCAO_WEBHOOK_SECRET`.
    #[arg(
        long,
        env = "BALCAO_WEBHOOK_SECRET_FILE",
        global = true,
        value_name = "FILE"
    )]
    pub webhook_secret_file: Option<PathBuf>,
    /// Account name from the configuration.
    #[arg(long, env = "BALCAO_ACCOUNT", global = true, value_name = "NAME")]
    pub account: Option<String>,
    /// Language of messages: pt-BR or en [default: from LANG].
    #[arg(long, env = "BALCAO_LANG", global = true, value_parser = parse_lang, value_name = "LANG")]
    pub lang: Option<Lang>,
    /// Where the inbox index lives: a SQLite file, or postgres://USER@HOST:PORT/DATABASE for a
    /// desk's shared index [default: the configuration's `index`, else inbox.sqlite3 in the
    /// data dir]. Give the password through PGPASSWORD or `index_password_file`, not here.
    #[arg(
        long,
        env = "BALCAO_INDEX",
        global = true,
        hide_env_values = true,
        value_name = "PATH|postgres://…"
    )]
    pub index: Option<String>,
    /// Seconds a request may take before it is abandoned.
    #[arg(long, env = "BALCAO_TIMEOUT", global = true, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600), value_name = "SECS")]
    pub timeout: u64,
}

impl GlobalArgs {
    /// What these flags and variables give the configuration (after `--*-file` secrets were
    /// read into their values).
    pub fn overrides(&self) -> Overrides {
        let secret = |value: &Option<String>| value.clone().map(SecretString::from);
        Overrides {
            config: self.config.clone(),
            account: self.account.clone(),
            base_url: self.base_url.clone(),
            token: secret(&self.token),
            origin: self.origin.clone(),
            agilize_base_url: self.agilize_base_url.clone(),
            agilize_key: secret(&self.agilize_key),
            data_dir: self.data_dir.clone(),
            listen: self.listen,
            webhook_secret: secret(&self.webhook_secret),
            timeout: Duration::from_secs(self.timeout),
            index: self.index.clone(),
            // The variable libpq reads; the driver does not, so it is read here.
            index_password: std::env::var("PGPASSWORD").ok().map(SecretString::from),
        }
    }
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text)
        .ok_or_else(|| format!("'{text}' is not a supported language: use pt-BR or en"))
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Wegly emulator alone.
    Sandbox(SandboxArgs),
    /// Read and change Wegly chats.
    #[command(subcommand)]
    Chat(ChatCommand),
    /// Receive webhooks and keep the inbox index fetched, without the console.
    Listen(ListenArgs),
    /// Put chats into the inbox index by id (`-` reads ids from stdin).
    Add {
        /// Chat ids, or `-` to read them from stdin.
        #[arg(required = true, value_name = "CHAT_ID")]
        ids: Vec<String>,
    },
    /// Read the inbox index.
    #[command(subcommand)]
    Inbox(InboxCommand),
    /// Check config.toml and list every problem (exit 2 if any).
    CheckConfig,
    /// Change Agilize rooms.
    #[command(subcommand)]
    Room(RoomCommand),
    /// The audit log: every change made through balcão, newest first.
    Audit(AuditArgs),
    /// Move an index (`copy`).
    #[command(subcommand)]
    Index(IndexCommand),
    /// Take back the last change or batch made by this person, or the one named, where nobody
    /// changed the chat since.
    Undo(UndoArgs),
    /// Print the shell completion script for SHELL on stdout (for example
    /// `balcao completions bash > ~/.local/share/bash-completion/completions/balcao`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `balcao undo`.
#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The batch to take back: its full id or its 8-character short form (as `balcao audit`
    /// shows it) [default: the last one this person made].
    #[arg(value_name = "BATCH_ID")]
    pub batch: Option<String>,
    /// The outcome as one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// `balcao audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Only changes to this chat (or room) id.
    #[arg(long, value_name = "ID")]
    pub chat: Option<String>,
    /// Only changes made by this person (the `name` in their config.toml; any case).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Only changes made in this last while: 30m, 2h, 7d (s, m, h, d or w).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Only the entries of this batch (its full id or its 8-character short form).
    #[arg(long, value_name = "ID")]
    pub batch: Option<String>,
    /// At most this many entries.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N")]
    pub limit: u32,
}

/// `balcao index ...`.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Copy an index's chats (with their details), audit log and drafts into another, SQLite or
    /// `PostgreSQL`, either way.
    Copy {
        /// The index to read: a SQLite file or a postgres:// URL.
        #[arg(long, value_name = "PATH_OR_URL")]
        from: String,
        /// The index to write: a SQLite file or a postgres:// URL. Must hold no chat and no
        /// audit entry, unless --force.
        #[arg(long, value_name = "PATH_OR_URL")]
        to: String,
        /// Replace whatever the target holds.
        #[arg(long)]
        force: bool,
    },
}

/// `balcao room ...` (Agilize).
#[derive(Debug, Subcommand)]
pub enum RoomCommand {
    /// Change some of a room's fields; the others stay as they are.
    Update(RoomUpdateArgs),
}

/// `balcao room update`.
#[derive(Debug, Args)]
pub struct RoomUpdateArgs {
    /// The room's `_id`.
    pub room_id: String,
    /// The user assigned to the room.
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// The users in the room, comma-separated (empty to clear).
    #[arg(long, value_name = "U1,U2", value_delimiter = ',', num_args = 0..)]
    pub users: Option<Vec<String>>,
    /// The room's department.
    #[arg(long, value_name = "D")]
    pub department: Option<String>,
    /// The room's tags, comma-separated (empty to clear).
    #[arg(long, value_name = "T1,T2", value_delimiter = ',', num_args = 0..)]
    pub tags: Option<Vec<String>>,
    /// Conclude the room (chIsArchived).
    #[arg(long, conflicts_with = "unarchive")]
    pub archive: bool,
    /// Reopen a concluded room.
    #[arg(long)]
    pub unarchive: bool,
    /// Status text.
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// Print the server's JSON exactly as received.
    #[arg(long)]
    pub json: bool,
}

/// `balcao listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Address to listen on [default: --listen, the configuration, or 127.0.0.1:8788].
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// Chat fetches in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N")]
    pub concurrency: u16,
    /// A chat's detail older than this many seconds is due to be fetched again.
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub stale_after: u64,
    /// How many due chats the background fetches again per minute [default: the
    /// configuration's `refresh_per_minute`, or 60]; chats named by webhooks are fetched at once.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=6000), value_name = "N")]
    pub refresh_per_minute: Option<u32>,
}

/// `balcao inbox ...`.
#[derive(Debug, Subcommand)]
pub enum InboxCommand {
    /// The index as a table (most urgent first), or JSON lines.
    List {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// `status:open priority:>=2 responsible:me|none|ID unread window:closing archived`, or text.
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
    },
    /// Forget a chat (it stays in the CRM).
    Remove {
        /// Chat id.
        id: String,
    },
    /// Stream every change to the index, one line per changed chat, until stopped.
    Watch {
        /// One JSON object per line: the shape of `inbox list --json`, with `revision`; a
        /// forgotten chat is `{"removed": true, ...}`.
        #[arg(long)]
        json: bool,
        /// Only chats this filter selects (the words of `inbox list --filter`).
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
    },
    /// Make one person the responsible of every chat a filter selects, as one batch that
    /// `balcao undo` takes back.
    Assign(AssignArgs),
    /// Take one person out of every chat a filter selects where they are a participant (not
    /// the responsible), as one batch.
    RemoveParticipant(RemoveParticipantArgs),
}

/// `balcao inbox assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Which chats: the words of `inbox list --filter` (`''` for every chat).
    #[arg(long, value_name = "EXPR")]
    pub filter: String,
    /// The new responsible's user id (not the agent id).
    #[arg(long, value_name = "USER_ID")]
    pub to: String,
    /// Hand each contact's leads over too.
    #[arg(long)]
    pub leads: bool,
    /// Hand each contact's deals over too.
    #[arg(long)]
    pub deals: bool,
    /// What to print, and whether to send.
    #[command(flatten)]
    pub output: BatchOutput,
}

/// What a batch command prints, and whether it sends.
#[derive(Debug, Clone, Copy, Args)]
pub struct BatchOutput {
    /// Print the plan and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The plan (with --dry-run) or the outcomes as one JSON document.
    #[arg(long)]
    pub json: bool,
}

/// `balcao inbox remove-participant`.
#[derive(Debug, Args)]
pub struct RemoveParticipantArgs {
    /// Which chats: the words of `inbox list --filter` (`''` for every chat).
    #[arg(long, value_name = "EXPR")]
    pub filter: String,
    /// The participant's user id (not the agent id).
    #[arg(long, value_name = "USER_ID")]
    pub user: String,
    /// What to print, and whether to send.
    #[command(flatten)]
    pub output: BatchOutput,
}

/// `balcao sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDR")]
    pub bind: SocketAddr,
    /// Seed file with users, lines and chats [default: the bundled one].
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Where to send signed Wegly webhooks (needs --webhook-secret).
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Where to send Agilize room events (`messenger/chat/room/patch`); the URL carries the
    /// receiver's secret, so prefer the environment variable.
    #[arg(
        long,
        env = "BALCAO_AGILIZE_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub agilize_webhook_url: Option<String>,
    /// Simulated customer messages per minute.
    #[arg(long, default_value_t = 0.0, value_name = "PER_MIN")]
    pub traffic: f64,
    /// Faults to inject, e.g. `get_chat:status=503@0.3,*:latency=500`.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// Refuse requests whose Origin/Referer is not this domain (403).
    #[arg(long, value_name = "DOMAIN")]
    pub allowed_domain: Option<String>,
}

/// `balcao chat ...`.
#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Show one chat.
    Get {
        /// Chat id (UUID).
        id: String,
        /// Print the server's JSON exactly as received.
        #[arg(long)]
        json: bool,
    },
    /// Open a chat with an approved template (or get the contact's existing chat).
    Create(CreateArgs),
    /// Make a user the chat's responsible.
    Reassign {
        /// Chat id (UUID).
        id: String,
        /// The new responsible's user id (not the agent id).
        #[arg(long, value_name = "USER_ID")]
        to: String,
        /// Leave the chat's assigned agent unchanged (`update_chat=false`).
        #[arg(long)]
        no_chat: bool,
        /// Hand the contact's leads over too.
        #[arg(long)]
        leads: bool,
        /// Hand the contact's deals over too.
        #[arg(long)]
        deals: bool,
        /// Print the server's JSON exactly as received.
        #[arg(long)]
        json: bool,
    },
    /// Remove a participant (not the current responsible).
    RemoveParticipant {
        /// Chat id (UUID).
        id: String,
        /// The participant's user id (not the agent id).
        user_id: String,
        /// Print the server's JSON exactly as received.
        #[arg(long)]
        json: bool,
    },
    /// Show a chat's timeline.
    Timeline {
        /// Chat id (UUID).
        id: String,
        /// Print the server's JSON exactly as received.
        #[arg(long)]
        json: bool,
    },
    /// Unread totals across chats.
    Unread {
        /// Print the server's JSON exactly as received.
        #[arg(long)]
        json: bool,
    },
}

/// Initial status a chat may be created with.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum CreateStatus {
    /// Open.
    Open,
    /// Resolved.
    Resolved,
    /// Snoozed.
    Snoozed,
}

/// `balcao chat create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The company's `WhatsApp` line (`whatsapp_phone_id`, a UUID).
    #[arg(long, value_name = "WHATSAPP_PHONE_ID")]
    pub line: String,
    /// The contact's `WhatsApp` number (at most 50 characters).
    #[arg(long, value_name = "WA_CONTACT_ID")]
    pub to: String,
    /// Template name, optionally with its language: `saudacao_inicial:pt_BR`.
    #[arg(long, value_name = "NAME[:LANG]")]
    pub template: String,
    /// A template value: `BODY:1=Mariana` (repeatable).
    #[arg(long = "field", value_name = "COMPONENT:INDEX=VALUE")]
    pub fields: Vec<String>,
    /// CRM person to link (UUID).
    #[arg(long, value_name = "CRM_PERSON_ID")]
    pub person: Option<String>,
    /// Responsible agent (the agent id that `assigned_agent_id` takes).
    #[arg(long, value_name = "AGENT_ID")]
    pub assign: Option<String>,
    /// Contact's profile name (at most 255 characters).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Initial status.
    #[arg(long, value_enum)]
    pub status: Option<CreateStatus>,
    /// Print the server's JSON exactly as received.
    #[arg(long)]
    pub json: bool,
}
