//! The command line: `serve` (the default), `migrate`, `token`, `openapi`, `seed`, `import`,
//! `organisation`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Duration;
use clap::{Parser, Subcommand};

use klachtenregister::app::{self, Shared};
use klachtenregister::auth::dev::{self, DEV_ORGANISATION, DEV_PEOPLE, TokenRequest};
use klachtenregister::clock::{Clock, SystemClock};
use klachtenregister::config::{Config, KeySource};
use klachtenregister::db::{Db, write_transaction};
use klachtenregister::domain::roles::Role;
use klachtenregister::{api, operations, telemetry};

/// glibc's malloc gives threads that allocate at the same time arenas of their own, up to
/// eight per core, and keeps what is freed in the arena it came from. The blocking pool's
/// threads take turns at reads, exports and overviews, so each arena came to hold its own peak:
/// 130 MiB on SQLite after the export of 100,000 rows and the overview, against 91 MiB with two
/// arenas at the same throughput (issue 15; mimalloc, tried instead, held 289 MiB). Set before
/// any thread starts; an operator's own `MALLOC_ARENA_MAX` is left to glibc.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes a setting of the allocator, and no other thread exists
        // yet to allocate while it does.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[derive(Parser)]
#[command(
    name = "klachtenregister",
    version,
    about = "Runs a firm's complaint procedure over a JSON REST API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default). Settings come from KLACHTEN_* variables; see README.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Mint a token with the configured (or development) secret.
    Token {
        /// The staff member's id (the token's subject).
        #[arg(long)]
        staff_id: String,
        #[arg(long)]
        name: Option<String>,
        /// Where notifications reach them.
        #[arg(long)]
        email: Option<String>,
        #[arg(long, default_value = DEV_ORGANISATION)]
        organisation: String,
        /// dienstverlener or klachtencoordinator; repeat for both.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// How long the token is valid.
        #[arg(long, default_value_t = 12)]
        hours: i64,
    },
    /// Write the OpenAPI document, or check that the committed one matches the code.
    Openapi {
        #[arg(long, default_value = "openapi/openapi.json")]
        output: PathBuf,
        /// Compare instead of writing; exit 1 when they differ.
        #[arg(long)]
        check: bool,
    },
    /// Fill the database with a realistic generated data set (for benchmarks and demos).
    Seed {
        #[arg(long, default_value_t = 1)]
        organisations: usize,
        /// Complaints per organisation.
        #[arg(long, default_value_t = 10_000)]
        complaints: usize,
        /// Staff per organisation (the first two coordinate).
        #[arg(long, default_value_t = 25)]
        staff: usize,
        /// How many years back the receipts go.
        #[arg(long, default_value_t = 3)]
        years: i64,
        /// Seed of the random generator: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Import an existing register (CSV or XLSX) into an organisation: every row is checked
    /// first; a file with faults is refused whole, each fault on stderr. See README.
    Import {
        /// The organisation's id (its slug).
        #[arg(long)]
        organisation: String,
        /// Check only: report what would be imported, write nothing.
        #[arg(long)]
        dry_run: bool,
        file: PathBuf,
    },
    /// Manage organisations (tenants).
    Organisation {
        #[command(subcommand)]
        command: OrganisationCommand,
    },
}

#[derive(Subcommand)]
enum OrganisationCommand {
    /// Register an organisation; its id is what tokens carry in the organisation claim.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    Role::parse(value)
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi { output, check } => openapi(&output, check),
        command => {
            let config = match Config::from_env() {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("klachtenregister: {e}");
                    return ExitCode::from(2);
                }
            };
            let outcome = match command {
                Command::Serve => actix_web::rt::System::new().block_on(serve(config)),
                Command::Migrate => migrate(&config),
                Command::Token { staff_id, name, email, organisation, roles, hours } => token(
                    &config,
                    TokenRequest {
                        staff_id,
                        name,
                        email,
                        organisation,
                        roles,
                        issued_at: SystemClock.now(),
                        valid_for: Duration::hours(hours),
                        issuer: config.identity.issuer.clone(),
                        audience: config.identity.audience.clone(),
                    },
                ),
                Command::Organisation { command: OrganisationCommand::Create { id, name } } => {
                    create_organisation(&config, &id, &name)
                }
                Command::Import { organisation, dry_run, file } => {
                    import_register(&config, organisation, &file, dry_run)
                }
                Command::Seed { organisations, complaints, staff, years, seed } => {
                    let plan = klachtenregister::seed::Plan {
                        organisations,
                        complaints,
                        staff,
                        years,
                        seed,
                    };
                    seed_database(&config, plan)
                }
                Command::Openapi { .. } => unreachable!("handled above"),
            };
            match outcome {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("klachtenregister: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

async fn serve(config: Config) -> Outcome {
    telemetry::init(config.log_format);
    let clock = Arc::new(SystemClock);
    let (state, workers) = app::prepare(&config, clock.clone()).await?;
    let listener = TcpListener::bind(config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let address = listener.local_addr()?;
    if config.identity.is_development() {
        print_development_banner(&config, address, clock.now())?;
    }
    tracing::info!(%address, database = config.database.backend_name(), "listening");
    app::serve(Shared::new(state), listener, &config)?.await?;
    workers.finish(std::time::Duration::from_secs(10)).await;
    tracing::info!("stopped");
    Ok(())
}

fn print_development_banner(
    config: &Config,
    address: std::net::SocketAddr,
    now: chrono::DateTime<chrono::Utc>,
) -> Outcome {
    let secret = dev::load_or_create_secret(&config.data_dir)?;
    let base = format!("http://{address}");
    println!("\nklachtenregister — development mode (no identity provider configured)");
    println!("  database:   {}", config.database.backend_name());
    println!("  Swagger UI: {base}/swagger-ui/   (press Authorize and paste a token)");
    println!("  tokens for organisation '{DEV_ORGANISATION}', valid 30 days:");
    let mut first_token = None;
    for (staff_id, name, role) in DEV_PEOPLE {
        let token = dev::mint(
            &secret,
            &config.identity.claims,
            &TokenRequest {
                staff_id: staff_id.into(),
                name: Some(name.into()),
                email: Some(format!("{staff_id}@ontwikkelkantoor.invalid")),
                organisation: DEV_ORGANISATION.into(),
                roles: vec![role],
                issued_at: now,
                valid_for: Duration::days(30),
                issuer: config.identity.issuer.clone(),
                audience: config.identity.audience.clone(),
            },
        );
        println!("\n  {} ({staff_id}):\n  {token}", role.as_str());
        first_token.get_or_insert(token);
    }
    if let Some(token) = first_token {
        println!("\n  try: curl -H 'Authorization: Bearer {token}' {base}/api/v1/me\n");
    }
    Ok(())
}

fn migrate(config: &Config) -> Outcome {
    let db = Db::new(config.database.clone(), &config.pool);
    let applied = db.migrate()?;
    println!("{applied} migration(s) applied to the {} database", config.database.backend_name());
    Ok(())
}

fn token(config: &Config, request: TokenRequest) -> Outcome {
    let secret = match &config.identity.keys {
        KeySource::Secret(secret) => secret.clone(),
        KeySource::Development => dev::load_or_create_secret(&config.data_dir)?,
        KeySource::JwksUrl(_) | KeySource::JwksFile(_) => {
            return Err(
                "tokens come from your identity provider when KLACHTEN_JWKS_* is set".into()
            );
        }
    };
    if !(Duration::hours(1)..=Duration::days(365)).contains(&request.valid_for) {
        return Err("--hours must be between 1 and 8760".into());
    }
    println!("{}", dev::mint(&secret, &config.identity.claims, &request));
    Ok(())
}

fn create_organisation(config: &Config, id: &str, name: &str) -> Outcome {
    use klachtenregister::domain::validation::{ExternalId, Text};
    let id = ExternalId::parse("--id", id).map_err(|e| format!("{}: {}", e.field, e.message))?;
    let name =
        Text::parse("--name", name, 200).map_err(|e| format!("{}: {}", e.field, e.message))?;
    let db = Db::new(config.database.clone(), &config.pool);
    db.migrate()?;
    let created = actix_web::rt::System::new().block_on(operations::organisation::create(
        &db,
        id.clone(),
        name,
        SystemClock.now(),
    ))?;
    match created {
        Some(org) => {
            println!(
                "organisation '{}' created (response term {} days)",
                org.slug, org.response_term_days
            );
            Ok(())
        }
        None => Err(format!("organisation '{}' exists already", id.as_str()).into()),
    }
}

fn import_register(config: &Config, organisation: String, file: &Path, dry_run: bool) -> Outcome {
    let content =
        std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let table = klachtenregister::import::read(&content)?;
    let total = table.rows.len().saturating_sub(1);
    let db = Db::new(config.database.clone(), &config.pool);
    db.migrate()?;
    let progress =
        move |done: usize| eprintln!("klachtenregister: {done} of {total} rows imported");
    let imported = actix_web::rt::System::new().block_on(operations::import::from_command_line(
        &db,
        organisation,
        SystemClock.now(),
        (table, dry_run),
        progress,
    ));
    let report = match imported {
        Ok(report) => report,
        Err(operations::OperationError::ImportRefused(faults)) => {
            for fault in &faults {
                eprintln!("row {}, {}: {}", fault.row, fault.column, fault.message);
            }
            return Err(format!("{} fault(s); nothing was imported", faults.len()).into());
        }
        Err(e) => return Err(e.into()),
    };
    let verb = if report.dry_run { "would be created" } else { "created" };
    println!(
        "{} rows: {} complaints {verb}, {} imported before",
        report.rows, report.created, report.already_imported
    );
    Ok(())
}

fn seed_database(config: &Config, plan: klachtenregister::seed::Plan) -> Outcome {
    if !(1..=100).contains(&plan.organisations)
        || plan.complaints > 10_000_000
        || !(1..=50).contains(&plan.years)
    {
        return Err("--organisations 1..=100, --complaints up to 10,000,000, --years 1..=50".into());
    }
    let db = Db::new(config.database.clone(), &config.pool);
    db.migrate()?;
    let mut conn = db.connection()?;
    let started = std::time::Instant::now();
    let seeded = write_transaction(&mut conn, |conn| {
        klachtenregister::seed::seed(conn, plan, SystemClock.now())
    })?;
    println!(
        "seeded {} complaints ({} rows; {} deadline notices count as announced) into the {} \
         database in {:.1} s",
        seeded.complaints,
        seeded.rows,
        seeded.announced,
        config.database.backend_name(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn openapi(output: &PathBuf, check: bool) -> ExitCode {
    let generated = api::openapi().to_pretty_json().expect("the document serialises") + "\n";
    if check {
        match std::fs::read_to_string(output) {
            Ok(committed) if committed == generated => ExitCode::SUCCESS,
            Ok(_) => {
                eprintln!(
                    "{} differs from the code; run `cargo run -- openapi` and commit the result",
                    output.display()
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("cannot read {}: {e}", output.display());
                ExitCode::FAILURE
            }
        }
    } else {
        match std::fs::write(output, generated) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("cannot write {}: {e}", output.display());
                ExitCode::FAILURE
            }
        }
    }
}
