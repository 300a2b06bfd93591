//! Extraction of Django migration modules into the IR: detection, metadata (`dependencies`,
//! `swappable_dependency`, `replaces`, `initial`, `atomic`, `run_before`), every operation kind,
//! field details, `RunSQL` / `RunPython` reverses, `SeparateDatabaseAndState`.

// A test that cannot read its own fixtures should stop loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::Arc;

use mrt_core::SourceFile;
use mrt_core::extract::extract;
use mrt_core::ir::{
    AlterColumn, ConstraintKind, Framework, Migration, OpKind, Operation, Reverse, SqlText, SqlVia,
};

const PATH: &str = "shop/migrations/0002_change.py";

fn lower_at(path: &str, text: &str) -> Migration {
    extract(Arc::new(SourceFile::new(path, text))).expect("a Django migration")
}

/// A migration of app `shop` whose `operations` are `ops`.
fn lower_ops(ops: &str) -> Migration {
    lower_at(
        PATH,
        &format!(
            "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0001_initial\")]\n\n    operations = {ops}\n"
        ),
    )
}

fn ops(migration: &Migration) -> &[Operation] {
    &migration.upgrade.as_ref().expect("operations").ops
}

fn value(name: &mrt_core::ir::Name) -> Option<&str> {
    name.as_ref().map(|name| name.value.as_str())
}

fn ids(values: &[mrt_core::ir::Spanned<String>]) -> Vec<&str> {
    values.iter().map(|value| value.value.as_str()).collect()
}

#[test]
fn metadata_and_dependency_forms() {
    let text = r#"
from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    atomic = False
    replaces = [("shop", "0001_initial"), ("shop", "0002_auto")]
    run_before = [("billing", "0001_initial")]
    dependencies = (
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("shop", "0001_initial"),
        ("auth", "__first__"),
        ["billing", "__latest__"],
        migrations.swappable_dependency("accounts.User"),
    )
    operations = []
"#;
    let migration = lower_at("proj/shop/migrations/0001_squashed_0002.py", text);
    assert_eq!(migration.framework, Framework::Django);
    assert_eq!(migration.revision_id(), Some("shop.0001_squashed_0002"));
    let revision = migration.revision.as_ref().unwrap();
    assert_eq!(&text[revision.range], "Migration");
    assert_eq!(
        ids(&migration.parents),
        vec![
            "__setting__.AUTH_USER_MODEL",
            "shop.0001_initial",
            "auth.__first__",
            "billing.__latest__",
            "accounts.__first__",
        ]
    );
    assert!(text[migration.parents_range.unwrap()].starts_with("dependencies = ("));
    let meta = migration.django().unwrap();
    assert_eq!(meta.app_label, "shop");
    assert_eq!(meta.name, "0001_squashed_0002");
    assert_eq!(meta.initial.as_ref().map(|flag| flag.value), Some(true));
    assert!(!meta.is_atomic());
    assert_eq!(
        ids(&meta.replaces),
        vec!["shop.0001_initial", "shop.0002_auto"]
    );
    assert!(meta.replaces_range.is_some());
    assert_eq!(ids(&meta.run_before), vec!["billing.0001_initial"]);
    assert!(migration.downgrade.is_none());
    assert!(migration.upgrade.as_ref().unwrap().is_noop);
}

#[test]
fn defaults_when_metadata_is_absent() {
    let migration = lower_at(
        "blog/migrations/0003_x.py",
        "from django.db import migrations\nclass Migration(migrations.Migration):\n    pass\n",
    );
    let meta = migration.django().unwrap();
    assert!(meta.is_atomic());
    assert!(meta.initial.is_none());
    assert!(meta.replaces.is_empty() && meta.replaces_range.is_none());
    assert!(migration.parents.is_empty());
    assert_eq!(migration.revision_id(), Some("blog.0003_x"));
}

#[test]
fn detection() {
    // A bare `Migration` base (from `from django.db.migrations import Migration`).
    let bare = "from django.db.migrations import Migration\nclass Migration(Migration):\n    operations = []\n";
    assert_eq!(
        lower_at(PATH, bare).framework,
        Framework::Django,
        "bare base"
    );
    // Not a migration: another class name, or a base that is not a Migration.
    for text in [
        "class Other(migrations.Migration):\n    operations = []\n",
        "class Migration(object):\n    operations = []\n",
        "def helper():\n    class Migration(migrations.Migration):\n        pass\n",
    ] {
        assert!(
            extract(Arc::new(SourceFile::new(PATH, text))).is_none(),
            "{text}"
        );
    }
    // Alembic wins when a file is both.
    let alembic = "revision = 'a'\ndown_revision = None\nclass Migration(migrations.Migration):\n    pass\ndef upgrade():\n    pass\n";
    assert_eq!(lower_at(PATH, alembic).framework, Framework::Alembic);
}

#[test]
fn syntax_error_is_still_a_django_migration() {
    let text = "from django.db import migrations\n\nclass Migration(migrations.Migration:\n    operations = [\n";
    let migration = lower_at(PATH, text);
    assert_eq!(migration.framework, Framework::Django);
    assert!(!migration.syntax_errors.is_empty());
    assert_eq!(migration.revision_id(), Some("shop.0002_change"));
    // Words in comments and strings do not make a file a migration.
    let words = "# Migration migrations\nx = 'Migration migrations'\ndef f(:\n";
    assert!(extract(Arc::new(SourceFile::new(PATH, words))).is_none());
}

#[test]
fn create_model_with_fields() {
    let migration = lower_ops(
        r#"[
        migrations.CreateModel(
            name="OrderLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("sku", models.CharField(max_length=20, unique=True, db_column="SKU")),
                ("note", models.TextField(null=True, blank=True)),
                ("qty", models.IntegerField(default=1, db_default=1)),
                ("order", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shop.order")),
                ("tags", models.ManyToManyField(to="shop.tag")),
            ],
        ),
        migrations.CreateModel(
            name="Legacy",
            fields=[("id", models.AutoField(primary_key=True))],
            options={"db_table": "legacy_things", "ordering": ["id"]},
        ),
        migrations.CreateModel(name="Proxy", fields=[], options={"proxy": True}),
        migrations.CreateModel(name="View", fields=[], options={"managed": False, "db_table": "v"}),
    ]"#,
    );
    let [first, second] = ops(&migration) else {
        panic!("two tables: {:#?}", ops(&migration));
    };
    let OpKind::CreateTable { table, columns, .. } = &first.kind else {
        panic!("{first:?}");
    };
    assert_eq!(value(table), Some("shop_orderline"));
    let names: Vec<_> = columns.iter().map(|c| value(&c.name).unwrap()).collect();
    assert_eq!(names, vec!["id", "SKU", "note", "qty", "order_id"]);
    let [id, sku, note, qty, order] = columns.as_slice() else {
        unreachable!()
    };
    assert!(id.primary_key && id.generated);
    assert_eq!(id.type_text.as_ref().unwrap().value, "models.BigAutoField");
    assert!(sku.unique && sku.is_not_null());
    assert_eq!(note.nullable.as_ref().map(|n| n.value), Some(true));
    assert!(qty.is_not_null());
    assert_eq!(qty.default.as_ref().unwrap().value, "1");
    assert_eq!(
        qty.server_default.as_ref().unwrap().value.as_deref(),
        Some("1")
    );
    let key = &order.foreign_keys[0];
    assert_eq!(key.target, "shop.order");
    assert_eq!(key.ondelete.as_ref().unwrap().value, "CASCADE");
    assert!(order.index);
    let OpKind::CreateTable { table, .. } = &second.kind else {
        panic!("{second:?}");
    };
    assert_eq!(value(table), Some("legacy_things"));
}

#[test]
fn model_operations_use_django_table_names() {
    let migration = lower_ops(
        r#"[
        migrations.DeleteModel(name="Coupon"),
        migrations.RenameModel(old_name="Cart", new_name="Basket"),
        migrations.RemoveField(model_name="basket", name="owner"),
        migrations.AlterModelTable(name="Order", table="orders"),
        migrations.RemoveField("order", "total"),
        migrations.AlterModelTable(name="Item", table=None),
    ]"#,
    );
    let kinds: Vec<&OpKind> = ops(&migration).iter().map(|op| &op.kind).collect();
    let [drop, rename, remove, alter_table, remove_positional, reset] = kinds.as_slice() else {
        panic!("{kinds:#?}");
    };
    assert!(matches!(drop, OpKind::DropTable { table } if value(table) == Some("shop_coupon")));
    assert!(matches!(rename, OpKind::RenameTable { old, new }
        if value(old) == Some("shop_cart") && value(new) == Some("shop_basket")));
    assert!(matches!(remove, OpKind::DropColumn { table, column }
        if value(table) == Some("shop_basket") && value(column) == Some("owner")));
    assert!(matches!(alter_table, OpKind::RenameTable { old, new }
        if value(old) == Some("shop_order") && value(new) == Some("orders")));
    // After AlterModelTable, the model's table is the new one.
    assert!(
        matches!(remove_positional, OpKind::DropColumn { table, column }
        if value(table) == Some("orders") && value(column) == Some("total"))
    );
    assert!(matches!(reset, OpKind::RenameTable { old, new }
        if value(old) == Some("shop_item") && value(new) == Some("shop_item")));
}

#[test]
fn field_operations() {
    let migration = lower_ops(
        r#"[
        migrations.AddField(model_name="order", name="paid", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="order", name="tags", field=models.ManyToManyField(to="shop.tag")),
        migrations.AddField("order", "customer", models.ForeignKey(null=True, on_delete=models.SET_NULL, to="shop.customer")),
        migrations.AlterField(model_name="order", name="note", field=models.TextField(null=True)),
        migrations.AlterField(model_name="order", name="code", field=models.CharField(max_length=5)),
        migrations.RenameField(model_name="order", old_name="note", new_name="comment"),
        migrations.RenameField(model_name="order", old_name="customer", new_name="buyer"),
        migrations.RemoveField(model_name="order", name="customer"),
    ]"#,
    );
    let kinds: Vec<&OpKind> = ops(&migration).iter().map(|op| &op.kind).collect();
    let [paid, customer, note, code, rename, rename_fk, remove_fk] = kinds.as_slice() else {
        panic!("ManyToManyField adds nothing: {kinds:#?}");
    };
    let OpKind::AddColumn { table, column } = paid else {
        panic!()
    };
    assert_eq!(value(table), Some("shop_order"));
    assert_eq!(value(&column.name), Some("paid"));
    assert!(column.is_not_null());
    assert_eq!(column.default.as_ref().unwrap().value, "False");
    assert!(column.server_default.is_none());
    let OpKind::AddColumn { column, .. } = customer else {
        panic!()
    };
    assert_eq!(value(&column.name), Some("customer_id"));
    assert!(!column.is_not_null());
    assert_eq!(
        column.foreign_keys[0].ondelete.as_ref().unwrap().value,
        "SET NULL"
    );
    let OpKind::AlterColumn(alter) = note else {
        panic!()
    };
    let AlterColumn {
        column, nullable, ..
    } = &**alter;
    assert_eq!(value(column), Some("note"));
    assert_eq!(nullable.as_ref().map(|n| n.value), Some(true));
    let OpKind::AlterColumn(alter) = code else {
        panic!()
    };
    let AlterColumn {
        nullable,
        type_text,
        ..
    } = &**alter;
    assert_eq!(nullable.as_ref().map(|n| n.value), Some(false));
    assert_eq!(type_text.as_ref().unwrap().value, "models.CharField");
    let OpKind::AlterColumn(alter) = rename else {
        panic!()
    };
    let AlterColumn {
        column, new_name, ..
    } = &**alter;
    assert_eq!(
        (value(column), value(new_name)),
        (Some("note"), Some("comment"))
    );
    // A foreign key declared in this migration keeps its `_id` column through a rename.
    let OpKind::AlterColumn(alter) = rename_fk else {
        panic!()
    };
    let AlterColumn {
        column, new_name, ..
    } = &**alter;
    assert_eq!(
        (value(column), value(new_name)),
        (Some("customer_id"), Some("buyer_id"))
    );
    assert!(
        matches!(remove_fk, OpKind::DropColumn { column, .. } if value(column) == Some("customer_id"))
    );
}

#[test]
fn index_and_constraint_operations() {
    let migration = lower_ops(
        r#"[
        migrations.AddIndex(model_name="order", index=models.Index(fields=["-created", "state"], name="order_created_idx")),
        migrations.RemoveIndex(model_name="order", name="order_old_idx"),
        AddIndexConcurrently("order", models.Index(fields=["state"], name="order_state_idx")),
        RemoveIndexConcurrently("order", "order_gone_idx"),
        migrations.AddConstraint(model_name="order", constraint=models.UniqueConstraint(fields=["code"], name="uniq_code")),
        migrations.AddConstraint(model_name="order", constraint=models.CheckConstraint(condition=models.Q(total__gte=0), name="total_positive")),
        migrations.RemoveConstraint(model_name="order", name="old_check"),
    ]"#,
    );
    let kinds: Vec<&OpKind> = ops(&migration).iter().map(|op| &op.kind).collect();
    let [add, remove, add_c, remove_c, unique, check, drop] = kinds.as_slice() else {
        panic!("{kinds:#?}");
    };
    assert!(
        matches!(add, OpKind::CreateIndex { name, table, columns, concurrently: false, .. }
        if value(name) == Some("order_created_idx") && value(table) == Some("shop_order")
            && columns == &["created", "state"])
    );
    assert!(
        matches!(remove, OpKind::DropIndex { name, concurrently: false, .. }
        if value(name) == Some("order_old_idx"))
    );
    assert!(
        matches!(add_c, OpKind::CreateIndex { name, concurrently: true, .. }
        if value(name) == Some("order_state_idx"))
    );
    assert!(
        matches!(remove_c, OpKind::DropIndex { name, concurrently: true, .. }
        if value(name) == Some("order_gone_idx"))
    );
    assert!(matches!(unique, OpKind::CreateConstraint(def)
        if def.kind == ConstraintKind::Unique && value(&def.name) == Some("uniq_code")
            && def.columns == ["code"]));
    assert!(matches!(check, OpKind::CreateConstraint(def)
        if def.kind == ConstraintKind::Check && value(&def.name) == Some("total_positive")));
    assert!(matches!(drop, OpKind::DropConstraint { name, table, .. }
        if value(name) == Some("old_check") && value(table) == Some("shop_order")));
}

#[test]
fn run_python_reverses() {
    let migration = lower_ops(
        "[
        migrations.RunPython(forwards),
        migrations.RunPython(forwards, None),
        migrations.RunPython(forwards, reverse_code=migrations.RunPython.noop),
        migrations.RunPython(code=forwards, reverse_code=backwards),
    ]",
    );
    let reverses: Vec<Reverse> = ops(&migration)
        .iter()
        .map(|op| match &op.kind {
            OpKind::RunPython { reverse, .. } => *reverse,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reverses,
        [
            Reverse::Missing,
            Reverse::Missing,
            Reverse::Noop,
            Reverse::Given
        ]
    );
    let OpKind::RunPython { reverse_range, .. } = &ops(&migration)[1].kind else {
        unreachable!()
    };
    assert!(reverse_range.is_some(), "an explicit None is pointed at");
}

/// One statement of a `RunSQL`: its text and the kinds it lowered to.
type Statement = (String, Vec<String>);

/// `(reverse, statements)` of each `RunSQL`.
fn run_sqls(migration: &Migration) -> Vec<(Reverse, Vec<Statement>)> {
    let mut out: Vec<(Reverse, Vec<Statement>)> = Vec::new();
    for op in ops(migration) {
        match &op.kind {
            OpKind::RunSql { reverse, .. } => out.push((*reverse, Vec::new())),
            OpKind::Sql { text, via, .. } => {
                assert_eq!(*via, SqlVia::RunSql);
                let text = match text {
                    SqlText::Literal(text) => text.clone(),
                    SqlText::Unreadable(_) => "<unreadable>".to_owned(),
                };
                out.last_mut().unwrap().1.push((text, Vec::new()));
            }
            other => {
                assert!(op.context.from_sql);
                let kind = format!("{other:?}");
                let name = kind.split([' ', '(', '{']).next().unwrap().to_owned();
                out.last_mut().unwrap().1.last_mut().unwrap().1.push(name);
            }
        }
    }
    out
}

#[test]
fn run_sql_forms_and_reverses() {
    let migration = lower_ops(
        r#"[
        migrations.RunSQL("ALTER TABLE shop_order DROP COLUMN legacy"),
        migrations.RunSQL(sql="TRUNCATE shop_log", reverse_sql=None),
        migrations.RunSQL(["DROP TABLE a", ("DELETE FROM b WHERE id = %s", [1])], "SELECT 1"),
        migrations.RunSQL("CREATE INDEX i ON t (c)", migrations.RunSQL.noop),
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql="DROP INDEX i"),
        migrations.RunSQL("UPDATE t SET " + "x = 1", reverse_sql=["UPDATE t SET x = 0"]),
        migrations.RunSQL(f"DROP TABLE {name}", ""),
    ]"#,
    );
    let expected = [
        (
            Reverse::Missing,
            vec![(
                "ALTER TABLE shop_order DROP COLUMN legacy",
                vec!["DropColumn"],
            )],
        ),
        (
            Reverse::Missing,
            vec![("TRUNCATE shop_log", vec!["Truncate"])],
        ),
        (
            Reverse::Given,
            vec![
                ("DROP TABLE a", vec!["DropTable"]),
                ("DELETE FROM b WHERE id = %s", vec!["DeleteRows"]),
            ],
        ),
        (
            Reverse::Noop,
            vec![("CREATE INDEX i ON t (c)", vec!["CreateIndex"])],
        ),
        (Reverse::Given, vec![("", vec![])]),
        (
            Reverse::Given,
            vec![("UPDATE t SET x = 1", vec!["UpdateRows"])],
        ),
        (Reverse::Noop, vec![("<unreadable>", vec![])]),
    ];
    let expected: Vec<(Reverse, Vec<Statement>)> = expected
        .into_iter()
        .map(|(reverse, statements)| {
            (
                reverse,
                statements
                    .into_iter()
                    .map(|(sql, kinds)| {
                        (
                            sql.to_owned(),
                            kinds.into_iter().map(str::to_owned).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(run_sqls(&migration), expected);
}

#[test]
fn run_sql_statement_ranges_point_into_the_string() {
    let text = "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL(\"SELECT 1; DROP TABLE shop_old\")]\n";
    let migration = lower_at(PATH, text);
    let drop = ops(&migration)
        .iter()
        .find(|op| matches!(op.kind, OpKind::DropTable { .. }))
        .unwrap();
    assert_eq!(&text[drop.range], "DROP TABLE shop_old");
}

#[test]
fn separate_database_and_state_and_concatenation() {
    let migration = lower_ops(
        r#"[
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("Ghost")],
            database_operations=[migrations.RemoveField("order", "ghost_id")],
        ),
        migrations.SeparateDatabaseAndState([migrations.DeleteModel("Real")], [migrations.DeleteModel("StateOnly")]),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Nothing")]),
    ] + [migrations.AlterUniqueTogether(name="order", unique_together={("a", "b")})] + (
        migrations.DeleteModel("Tail"),
    )"#,
    );
    let kinds: Vec<String> = ops(&migration)
        .iter()
        .map(|op| match &op.kind {
            OpKind::DropColumn { column, .. } => format!("drop column {}", value(column).unwrap()),
            OpKind::DropTable { table } => format!("drop table {}", value(table).unwrap()),
            OpKind::Other { name } => format!("other {name}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "drop column ghost_id",
            "drop table shop_real",
            "other AlterUniqueTogether",
            "drop table shop_tail",
        ]
    );
}

#[test]
fn noqa_comments_are_read() {
    let migration =
        lower_ops("[\n        migrations.RemoveField(\"order\", \"x\"),  # noqa: MRT209\n    ]");
    assert_eq!(migration.suppressions.lines.len(), 1);
    assert_eq!(migration.suppressions.lines[0].line, 8);
}

#[test]
fn implicit_defaults_django_fills_rows_with() {
    let migration = lower_ops(
        r#"[
        migrations.AddField("order", "slug", models.SlugField(blank=True)),
        migrations.AddField("order", "body", RichTextField(blank=True)),
        migrations.AddField("order", "stamp", models.DateTimeField(auto_now=True)),
        migrations.AddField("order", "count", models.IntegerField(blank=True)),
        migrations.AddField("order", "note", models.TextField(blank=True, null=True)),
        migrations.AddField("order", "code", models.CharField(blank=True, default="x")),
    ]"#,
    );
    let defaults: Vec<Option<&str>> = ops(&migration)
        .iter()
        .map(|op| match &op.kind {
            OpKind::AddColumn { column, .. } => column.default.as_ref().map(|d| d.value.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        defaults,
        [
            Some("''"),
            Some("''"),
            Some("now()"),
            None,
            None,
            Some("\"x\"")
        ]
    );
}
