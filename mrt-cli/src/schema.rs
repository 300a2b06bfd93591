//! `mrt schema`: the schema the migrations build, replayed revision by revision.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use mrt_core::Settings;
use mrt_core::schema::{ReplayStep, Schema, Table, replay_with};
use serde::Serialize;

use crate::Status;
use crate::args::{SchemaArgs, SchemaFormat};

pub(crate) fn run(args: &SchemaArgs) -> Result<Status, String> {
    // Files that cannot be read are named on stderr and left out; what can be replayed still is,
    // and the exit code says that something was missing.
    let (project, errors) = crate::load_project(&args.paths)?;
    let mut report = JsonReport {
        errors: errors.iter().map(ToString::to_string).collect(),
        ..JsonReport::default()
    };
    let only = match &args.revision {
        Some(revision) => Some(
            project
                .resolve_revision(revision)
                .map_err(|error| error.to_string())?,
        ),
        None => None,
    };
    if project.graph.topological_order().is_none() {
        let cycle = "the revision graph has a cycle: no order to replay it in".to_owned();
        if args.format == SchemaFormat::Text {
            return Err(cycle);
        }
        eprintln!("mrt: error: {cycle}");
        report.errors.push(cycle);
        let output = serde_json::to_string_pretty(&report)
            .map_err(|error| format!("cannot render JSON: {error}"))?;
        crate::write_stdout(&(output + "\n"))?;
        return Ok(Status::Error);
    }
    let mut settings = Settings::default();
    if let Some(dialect) = args.dialect {
        settings.dialect = dialect;
    }
    let mut last_text = String::new();
    replay_with(&project, &settings, None, |step| {
        let id = step.migration.revision_id().unwrap_or_default().to_owned();
        if only.is_some_and(|only| project.graph_position(only) != step.index) {
            return;
        }
        match args.format {
            SchemaFormat::Json => {
                report.order.push(id.clone());
                report.revisions.insert(id, JsonRevision::of(step));
            }
            SchemaFormat::Text => last_text = text(&id, &step.after_upgrade()),
        }
    });
    let output = match args.format {
        SchemaFormat::Json => serde_json::to_string_pretty(&report)
            .map_err(|error| format!("cannot render JSON: {error}"))?,
        SchemaFormat::Text => last_text,
    };
    let status = crate::write_stdout(&(output + "\n"))?;
    Ok(if errors.is_empty() {
        status
    } else {
        Status::Error
    })
}

#[derive(Default, Serialize)]
struct JsonReport {
    order: Vec<String>,
    revisions: BTreeMap<String, JsonRevision>,
    /// Files that could not be read, a cycle: what is missing from the replay.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

#[derive(Serialize)]
struct JsonRevision {
    parents: Vec<String>,
    path: String,
    before: JsonSchema,
    after_upgrade: JsonSchema,
    after_downgrade: Option<JsonSchema>,
}

impl JsonRevision {
    fn of(step: &ReplayStep<'_>) -> Self {
        Self {
            parents: step
                .migration
                .parents
                .iter()
                .map(|parent| parent.value.clone())
                .collect(),
            path: step.migration.path().display().to_string(),
            before: JsonSchema::of(step.before),
            after_upgrade: JsonSchema::of(&step.after_upgrade()),
            after_downgrade: step.after_downgrade().as_ref().map(JsonSchema::of),
        }
    }
}

#[derive(Serialize)]
struct JsonSchema {
    tables: BTreeMap<String, JsonTable>,
    views: BTreeMap<String, JsonView>,
    triggers: BTreeMap<String, JsonTrigger>,
    enums: BTreeMap<String, JsonEnum>,
    uncertain: Vec<String>,
}

impl JsonSchema {
    fn of(schema: &Schema) -> Self {
        let mut triggers = BTreeMap::new();
        for table in schema.tables() {
            for trigger in &table.triggers {
                triggers.insert(
                    trigger.clone(),
                    JsonTrigger {
                        table: table.name.clone(),
                    },
                );
            }
        }
        Self {
            tables: schema
                .tables()
                .map(|table| (table.name.clone(), JsonTable::of(table)))
                .collect(),
            views: schema
                .views()
                .map(|view| {
                    (
                        view.name.clone(),
                        JsonView {
                            definition: view.definition.clone(),
                        },
                    )
                })
                .collect(),
            triggers,
            enums: schema
                .enum_types()
                .map(|found| {
                    (
                        found.name.clone(),
                        JsonEnum {
                            values: found.values.clone(),
                        },
                    )
                })
                .collect(),
            uncertain: schema.uncertain().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonTable {
    partial: bool,
    columns: Vec<JsonColumn>,
    indexes: Vec<JsonIndex>,
    unique_constraints: Vec<JsonNamedColumns>,
    foreign_keys: Vec<JsonForeignKey>,
    check_constraints: Vec<JsonCheck>,
    primary_key: Vec<String>,
}

impl JsonTable {
    fn of(table: &Table) -> Self {
        use mrt_core::ir::ConstraintKind;
        let of_kind = |kind: ConstraintKind| {
            table
                .constraints
                .iter()
                .filter(move |constraint| constraint.kind == kind)
        };
        Self {
            partial: table.partial,
            columns: table
                .columns
                .iter()
                .map(|column| JsonColumn {
                    name: column.name.clone(),
                    type_: column.type_text.clone(),
                    nullable: column.nullable,
                    server_default: column.server_default.clone(),
                    primary_key: column.primary_key,
                })
                .collect(),
            indexes: table
                .indexes
                .iter()
                .map(|index| JsonIndex {
                    name: index.name.clone(),
                    columns: index.columns.clone(),
                    unique: index.unique,
                })
                .collect(),
            unique_constraints: of_kind(ConstraintKind::Unique)
                .map(|constraint| JsonNamedColumns {
                    name: constraint.name.clone(),
                    columns: constraint.columns.clone(),
                })
                .collect(),
            foreign_keys: of_kind(ConstraintKind::ForeignKey)
                .map(|constraint| JsonForeignKey {
                    name: constraint.name.clone(),
                    columns: constraint.columns.clone(),
                    referred_table: constraint.referred_table.clone(),
                    ondelete: constraint.ondelete.clone(),
                })
                .collect(),
            check_constraints: of_kind(ConstraintKind::Check)
                .map(|constraint| JsonCheck {
                    name: constraint.name.clone(),
                    sqltext: constraint.condition.clone(),
                })
                .collect(),
            primary_key: table.primary_key().into_iter().map(str::to_owned).collect(),
        }
    }
}

#[derive(Serialize)]
struct JsonColumn {
    name: String,
    #[serde(rename = "type")]
    type_: Option<String>,
    nullable: bool,
    server_default: Option<String>,
    primary_key: bool,
}

#[derive(Serialize)]
struct JsonIndex {
    name: String,
    columns: Vec<String>,
    unique: bool,
}

#[derive(Serialize)]
struct JsonNamedColumns {
    name: Option<String>,
    columns: Vec<String>,
}

#[derive(Serialize)]
struct JsonForeignKey {
    name: Option<String>,
    columns: Vec<String>,
    referred_table: Option<String>,
    ondelete: Option<String>,
}

#[derive(Serialize)]
struct JsonCheck {
    name: Option<String>,
    sqltext: Option<String>,
}

#[derive(Serialize)]
struct JsonView {
    definition: String,
}

#[derive(Serialize)]
struct JsonTrigger {
    table: String,
}

#[derive(Serialize)]
struct JsonEnum {
    values: Vec<String>,
}

/// The schema after a revision, for people.
fn text(revision: &str, schema: &Schema) -> String {
    let mut out = format!("schema after {revision}\n");
    for table in schema.tables() {
        let partial = if table.partial { " (partly known)" } else { "" };
        let _ = writeln!(out, "\ntable {}{partial}", table.name);
        for column in &table.columns {
            let _ = writeln!(
                out,
                "  {} {}{}{}{}",
                column.name,
                column.type_text.as_deref().unwrap_or("?"),
                if column.nullable { "" } else { " NOT NULL" },
                column
                    .server_default
                    .as_deref()
                    .map(|default| format!(" DEFAULT {default}"))
                    .unwrap_or_default(),
                if column.primary_key {
                    " PRIMARY KEY"
                } else {
                    ""
                },
            );
        }
        for index in &table.indexes {
            let unique = if index.unique { "unique " } else { "" };
            let _ = writeln!(
                out,
                "  {unique}index {} ({})",
                index.name,
                index.columns.join(", ")
            );
        }
        for constraint in &table.constraints {
            let _ = writeln!(
                out,
                "  {:?} {} ({}){}{}",
                constraint.kind,
                constraint.name.as_deref().unwrap_or("(unnamed)"),
                constraint.columns.join(", "),
                constraint
                    .referred_table
                    .as_deref()
                    .map(|table| format!(" -> {table}"))
                    .unwrap_or_default(),
                constraint
                    .ondelete
                    .as_deref()
                    .map(|on| format!(" ON DELETE {on}"))
                    .unwrap_or_default(),
            );
        }
        for trigger in &table.triggers {
            let _ = writeln!(out, "  trigger {trigger}");
        }
    }
    for found in schema.enum_types() {
        let _ = writeln!(out, "\nenum {} ({})", found.name, found.values.join(", "));
    }
    for view in schema.views() {
        let _ = writeln!(out, "\nview {}", view.name);
    }
    let uncertain: Vec<String> = schema.uncertain().map(ToString::to_string).collect();
    if !uncertain.is_empty() {
        let _ = writeln!(out, "\nuncertain: {}", uncertain.join(", "));
    }
    out
}
