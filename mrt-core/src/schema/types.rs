//! Comparing column types and server defaults written in different ways.
//!
//! A migration writes `sa.String(length=50)`, its downgrade `sa.String(50)`, raw SQL `VARCHAR(50)`:
//! one type. The canonical forms here only ever make equal what is equal; anything they cannot
//! read stays as written, and two such texts are compared as written.

/// The canonical form of a column type: the last dotted name, lower-cased, with SQL synonyms
/// folded (`String`/`VARCHAR`/`character varying` -> `varchar`), and its arguments without the
/// keywords that only restate position (`length=`, `precision=`, `scale=`). `None` for a type the
/// model cannot know the database type of: a project's own type (`UtcDateTime`, a
/// `TypeDecorator`), or a type with variants (`.with_variant(...)`).
pub(crate) fn canonical_type(text: &str) -> Option<String> {
    // Rules and the replay's residue ask this of every column type they compare: the common
    // case (no white space, a name of a few letters) allocates only the answer.
    let compact = without_white_space(text);
    let (head, args) = name_and_arguments(&compact);
    // One argument list and nothing after it: `sa.String(36).with_variant(...)` is not one type.
    if !args.is_empty() && (!args.ends_with(')') || args[1..].contains('(') && args.contains(")."))
    {
        return None;
    }
    // No name below is longer than this; a longer one is no type the model knows.
    let mut lowered = [0u8; 32];
    let lowered = lowered_name(head, &mut lowered)?;
    let (name, keeps_arguments) = match lowered {
        b"string" | b"varchar" | b"charactervarying" | b"unicode" | b"nvarchar" => {
            ("varchar", true)
        }
        b"char" | b"character" | b"nchar" => ("char", true),
        b"text" | b"unicodetext" | b"clob" => ("text", false),
        // Django's integer fields too: a positive one adds a check, not another type.
        b"integer"
        | b"int"
        | b"int4"
        | b"integerfield"
        | b"positiveintegerfield"
        | b"autofield" => ("integer", false),
        b"biginteger"
        | b"bigint"
        | b"int8"
        | b"bigintegerfield"
        | b"positivebigintegerfield"
        | b"bigautofield" => ("bigint", false),
        b"smallinteger"
        | b"smallint"
        | b"int2"
        | b"smallintegerfield"
        | b"positivesmallintegerfield"
        | b"smallautofield" => ("smallint", false),
        b"boolean" | b"bool" => ("boolean", false),
        b"datetime" | b"timestamp" => ("timestamp", true),
        b"date" => ("date", false),
        b"time" => ("time", true),
        b"interval" => ("interval", false),
        b"numeric" | b"decimal" => ("numeric", true),
        b"float" | b"real" | b"doubleprecision" | b"double" | b"float8" => ("float", false),
        b"largebinary" | b"bytea" | b"blob" | b"pickletype" => ("blob", false),
        b"json" => ("json", false),
        b"jsonb" => ("jsonb", false),
        b"uuid" => ("uuid", false),
        b"enum" => ("enum", true),
        // A Django relation field's column has the type of the key it refers to, one-to-one or
        // not (that difference is a unique constraint, not a type).
        b"foreignkey" | b"onetoonefield" | b"parentalkey" => ("reference", false),
        _ => return None,
    };
    let mut canonical = String::with_capacity(name.len() + args.len());
    canonical.push_str(name);
    if keeps_arguments {
        // The arguments lower-cased, without the keywords, in one pass: this runs for every
        // column type the rules and the replay compare.
        let mut rest = args;
        while let Some(next) = rest.chars().next() {
            let keyword = ["length=", "precision=", "scale="]
                .into_iter()
                .find(|keyword| {
                    rest.get(..keyword.len())
                        .is_some_and(|head| head.eq_ignore_ascii_case(keyword))
                });
            if let Some(keyword) = keyword {
                rest = &rest[keyword.len()..];
            } else {
                canonical.push(next.to_ascii_lowercase());
                rest = &rest[next.len_utf8()..];
            }
        }
        if canonical[name.len()..] == *"()" {
            canonical.truncate(name.len());
        }
    }
    Some(canonical)
}

/// The type as the dialect named by `dialect_names` sees it: for
/// `sa.String(36).with_variant(postgresql.UUID(), "postgresql")` on PostgreSQL, `postgresql.UUID()`;
/// on another dialect, `sa.String(36)`. A type without variants, or one that does not parse, is
/// returned as written.
pub(crate) fn type_on<'t>(text: &'t str, dialect_names: &[&str]) -> std::borrow::Cow<'t, str> {
    use ruff_python_ast::Expr;
    use ruff_text_size::Ranged;

    // Without a variant the type is the text as written: parsing would only take off white space
    // around it, or parentheses and comments (which the fast path leaves to the parser).
    if !text.contains("with_variant") && !text.contains('#') && !text.trim_start().starts_with('(')
    {
        return std::borrow::Cow::Borrowed(text.trim());
    }
    let Ok(parsed) = ruff_python_parser::parse_expression(text) else {
        return std::borrow::Cow::Borrowed(text);
    };
    let mut expr = parsed.expr();
    // Each `.with_variant` wraps the type before it; the outermost that names the dialect wins, as
    // in SQLAlchemy, where a later variant for the same dialect replaces an earlier one.
    while let Expr::Call(call) = expr {
        let Expr::Attribute(method) = &*call.func else {
            break;
        };
        if method.attr.as_str() != "with_variant" {
            break;
        }
        let (Some(variant), Some(names)) =
            (call.arguments.args.first(), call.arguments.args.get(1))
        else {
            break;
        };
        let named = |name: &Expr| matches!(name, Expr::StringLiteral(literal) if dialect_names.contains(&literal.value.to_str()));
        let applies = match names {
            Expr::List(list) => list.elts.iter().any(named),
            Expr::Tuple(tuple) => tuple.elts.iter().any(named),
            single => named(single),
        };
        if applies {
            return std::borrow::Cow::Owned(text[variant.range()].to_owned());
        }
        expr = &method.value;
    }
    std::borrow::Cow::Owned(text[expr.range()].to_owned())
}

/// Whether two column types as written are the same type: equal but for white space, or with
/// equal canonical forms (`sa.Text()`, `sa.Text` and `TEXT`; `sa.String(length=50)` and
/// `VARCHAR(50)`). Types the model cannot know are the same only as written.
pub fn same_type(a: &str, b: &str) -> bool {
    same_as_written(a, b)
        || canonical_type(a).is_some_and(|a| canonical_type(b).is_some_and(|b| a == b))
}

/// Whether two types are written alike but for white space.
fn same_as_written(a: &str, b: &str) -> bool {
    let significant = |c: &char| !c.is_whitespace();
    a.chars()
        .filter(significant)
        .eq(b.chars().filter(significant))
}

/// Whether changing a column from type `before` to `after` only widens a string: `VARCHAR(n)` to
/// a `VARCHAR` at least as long, to `VARCHAR` without a length, or to `TEXT`. Every value the old
/// type holds, and every value code written for it stores, fits the new type unchanged.
pub fn widens_string(before: &str, after: &str) -> bool {
    let (Some(before), Some(after)) = (canonical_type(before), canonical_type(after)) else {
        return false;
    };
    widens_canonical_string(&before, &after)
}

/// Whether changing a column from type `before` to `after` only widens an integer: `smallint` to
/// `integer` or `bigint`, `integer` to `bigint` (or keeps its width). Every value fits.
pub fn widens_integer(before: &str, after: &str) -> bool {
    let width = |text: &str| match canonical_type(text)?.as_str() {
        "smallint" => Some(2),
        "integer" => Some(4),
        "bigint" => Some(8),
        _ => None,
    };
    width(before)
        .zip(width(after))
        .is_some_and(|(before, after)| after >= before)
}

/// [`widens_string`] of two canonical types ([`canonical_type`]).
fn widens_canonical_string(before: &str, after: &str) -> bool {
    // `Some(None)`: a `VARCHAR` without a length; `None`: not a `VARCHAR` this can read.
    let varchar_length = |canonical: &str| -> Option<Option<u64>> {
        let arguments = canonical.strip_prefix("varchar")?;
        if arguments.is_empty() {
            return Some(None);
        }
        let length = arguments.strip_prefix('(')?.strip_suffix(')')?;
        length.parse().ok().map(Some)
    };
    let Some(was) = varchar_length(before) else {
        return false;
    };
    if after == "text" {
        return true;
    }
    match (was, varchar_length(after)) {
        (_, Some(None)) => true,
        (Some(was), Some(Some(is))) => is >= was,
        _ => false,
    }
}

/// Whether PostgreSQL changes a column from type `before` to `after` without rewriting the table
/// or rebuilding its indexes: a string widened ([`widens_string`]), a float of the same storage
/// (`FLOAT` and `FLOAT(53)` are both `double precision`; `REAL` is not), or the same type written
/// another way ([`same_type`]). Other databases have rules of their own (MySQL rewrites a
/// `VARCHAR` that crosses 255 bytes of length, for one), which this does not speak for.
pub fn postgres_alters_in_place(before: &str, after: &str) -> bool {
    match (float_storage(before), float_storage(after)) {
        (FloatStorage::Bytes(before), FloatStorage::Bytes(after)) => before == after,
        // `same_type || widens_string`, each type made canonical once.
        (FloatStorage::NotFloat, FloatStorage::NotFloat) => {
            same_as_written(before, after)
                || canonical_type(before).is_some_and(|before| {
                    canonical_type(after).is_some_and(|after| {
                        before == after || widens_canonical_string(&before, &after)
                    })
                })
        }
        // A float and another type (`same_type` folds `REAL` and `DOUBLE` into one `float`), or
        // a float whose precision could not be read.
        _ => false,
    }
}

/// `text` without its white space, borrowed when it has none (the usual case).
fn without_white_space(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(char::is_whitespace) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A type's text split before its argument list: `sa.String` and `(36)`.
fn name_and_arguments(compact: &str) -> (&str, &str) {
    match compact.find('(') {
        Some(open) => (&compact[..open], &compact[open..]),
        None => (compact, ""),
    }
}

/// The last dotted part of `head` lower-cased into `buffer`, without allocating; `None` when it
/// is longer than the buffer (longer than every name the caller knows).
fn lowered_name<'b>(head: &str, buffer: &'b mut [u8]) -> Option<&'b [u8]> {
    let written = head.rsplit('.').next().unwrap_or(head).as_bytes();
    let lowered = buffer.get_mut(..written.len())?;
    lowered.copy_from_slice(written);
    lowered.make_ascii_lowercase();
    Some(lowered)
}

/// How PostgreSQL stores a type, as far as floats go.
enum FloatStorage {
    /// A float in this many bytes: 4 for `REAL` / `FLOAT(p)` with `p <= 24`, 8 for
    /// `DOUBLE PRECISION` / `FLOAT` / `FLOAT(p)` with `p > 24`.
    Bytes(u8),
    /// A float whose precision could not be read (a variable).
    Unread,
    /// Not a float.
    NotFloat,
}

fn float_storage(text: &str) -> FloatStorage {
    let compact = without_white_space(text);
    let (head, args) = name_and_arguments(&compact);
    // The longest float name is 16 letters; a longer name is not a float.
    let mut lowered = [0u8; 16];
    let Some(name) = lowered_name(head, &mut lowered) else {
        return FloatStorage::NotFloat;
    };
    match name {
        b"real" | b"float4" => FloatStorage::Bytes(4),
        b"doubleprecision" | b"double" | b"double_precision" | b"float8" => FloatStorage::Bytes(8),
        b"float" => {
            let args = args.to_ascii_lowercase();
            let inner = args
                .strip_prefix('(')
                .and_then(|rest| rest.strip_suffix(')'))
                .unwrap_or("");
            // The precision is the first positional argument or `precision=`.
            let precision = inner.split(',').enumerate().find_map(|(at, arg)| {
                arg.strip_prefix("precision=")
                    .or_else(|| (at == 0 && !arg.contains('=')).then_some(arg))
            });
            match precision {
                None | Some("" | "none") => FloatStorage::Bytes(8),
                Some(precision) => match precision.parse::<u32>() {
                    Ok(bits) if bits <= 24 => FloatStorage::Bytes(4),
                    Ok(_) => FloatStorage::Bytes(8),
                    Err(_) => FloatStorage::Unread,
                },
            }
        }
        _ => FloatStorage::NotFloat,
    }
}

/// The canonical form of a server default: the SQL it sends. A Python string literal `"x"` is
/// SQL `'x'`, compared without its quotes, as is `'x'::varchar` (PostgreSQL's print of it);
/// `sa.text("now()")` and `sa.func.now()` are `now()`; `sa.false()` and `sa.sql.false()` are
/// `false`.
pub(crate) fn canonical_default(text: &str) -> String {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    for wrapper in [
        "sa.text(",
        "sqlalchemy.text(",
        "text(",
        "sa.literal_column(",
        "literal_column(",
    ] {
        if let Some(inner) = lower
            .strip_prefix(wrapper)
            .and_then(|rest| rest.strip_suffix(')'))
            && let Some(sql) = string_literal(inner.trim())
        {
            return compact_sql(&sql);
        }
    }
    // Quoted or not, `'0'` and `0` give the same default once the column's type casts it.
    for prefix in ["sa.func.", "sqlalchemy.func.", "func."] {
        if let Some(call) = lower.strip_prefix(prefix) {
            // SQLAlchemy renders the SQL standard's niladic functions without parentheses.
            if let Some(
                niladic @ ("current_timestamp" | "current_date" | "current_time" | "localtimestamp"
                | "localtime" | "current_user" | "session_user"),
            ) = call.strip_suffix("()")
            {
                return niladic.to_owned();
            }
            return compact_sql(call);
        }
    }
    // `sa.false()`, `sa.sql.false()`, `sqlalchemy.sql.expression.true()`: the SQL constants.
    let (module, name) = lower.rsplit_once('.').unwrap_or(("", lower.as_str()));
    if let Some(constant @ ("false" | "true")) = name.strip_suffix("()")
        && matches!(
            module,
            "" | "sa"
                | "sqlalchemy"
                | "sql"
                | "sa.sql"
                | "sqlalchemy.sql"
                | "expression"
                | "sa.sql.expression"
                | "sqlalchemy.sql.expression"
        )
    {
        return constant.to_owned();
    }
    if let Some(value) = string_literal(&lower) {
        return value;
    }
    compact_sql(&lower)
}

/// The value of a Python string literal (`"x"`, `'x'`), when `text` is exactly one.
fn string_literal(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote)).then(|| inner.to_owned())
}

fn compact_sql(sql: &str) -> String {
    let sql = sql.trim();
    // Databases print a default's expression in parentheses; the meaning is the same.
    let sql = sql
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(sql);
    let sql: String = sql
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let sql = without_literal_cast(&sql);
    string_literal(sql).unwrap_or_else(|| sql.to_owned())
}

/// A quoted literal without the cast PostgreSQL prints after it (`'active'::character varying`,
/// `'disabled'::state`): a default is cast to its column's type either way. Anything more than a
/// literal and a type name is left as it is.
fn without_literal_cast(sql: &str) -> &str {
    let Some(end) = sql
        .strip_prefix('\'')
        .and_then(|rest| rest.find('\''))
        .map(|at| at + 2)
    else {
        return sql;
    };
    let type_name = sql[end..].strip_prefix("::").filter(|name| {
        !name.is_empty()
            && name.chars().all(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(c, '_' | '.' | '"' | '[' | ']' | '(' | ')' | ',')
            })
    });
    if type_name.is_some() {
        &sql[..end]
    } else {
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_type_are_equal() {
        assert_eq!(
            canonical_type("sa.String(length=50)"),
            canonical_type("VARCHAR(50)")
        );
        assert_eq!(
            canonical_type("sa.String(50)"),
            canonical_type("character varying (50)")
        );
        assert_eq!(
            canonical_type("sqlalchemy.Integer()"),
            canonical_type("INTEGER")
        );
        assert_eq!(canonical_type("sa.Integer"), canonical_type("int"));
        assert_eq!(
            canonical_type("sa.Numeric(precision=10, scale=2)"),
            canonical_type("NUMERIC(10,2)")
        );
        assert_eq!(
            canonical_type("models.OneToOneField"),
            canonical_type("models.ForeignKey")
        );
        assert_eq!(
            canonical_type("models.PositiveSmallIntegerField"),
            canonical_type("sa.SmallInteger()")
        );
        assert!(widens_integer(
            "models.PositiveSmallIntegerField",
            "models.IntegerField"
        ));
        assert!(widens_integer("sa.Integer()", "BIGINT"));
        assert!(!widens_integer("models.BigAutoField", "models.AutoField"));
        assert!(!widens_integer("sa.Integer()", "sa.Float()"));
        assert_ne!(
            canonical_type("models.ForeignKey"),
            canonical_type("models.IntegerField")
        );
    }

    #[test]
    fn different_types_stay_different() {
        assert_ne!(
            canonical_type("sa.String(50)"),
            canonical_type("sa.String(100)")
        );
        assert_ne!(canonical_type("sa.String()"), canonical_type("sa.Text()"));
        assert_ne!(
            canonical_type("sa.Integer()"),
            canonical_type("sa.BigInteger()")
        );
    }

    #[test]
    fn same_type_is_equal_as_written_or_canonically() {
        assert!(same_type("sa.Text()", "sa.Text"));
        assert!(same_type("sa.Boolean", "BOOLEAN"));
        assert!(same_type("sa.String(length = 50)", "VARCHAR(50)"));
        assert!(same_type("StringID(length=250)", "StringID(length = 250)"));
        assert!(!same_type("StringID(length=250)", "StringID()"));
        assert!(!same_type("sa.String(50)", "sa.String(100)"));
        assert!(!same_type("sa.Text()", "postgresql.JSONB()"));
    }

    #[test]
    fn a_longer_varchar_or_text_widens_a_string() {
        assert!(widens_string("sa.String(50)", "sa.String(length=200)"));
        assert!(widens_string("VARCHAR(50)", "sa.String()"));
        assert!(widens_string("sa.String(250)", "sa.Text()"));
        assert!(widens_string("sa.String()", "TEXT"));
        assert!(!widens_string("sa.String(200)", "sa.String(50)"));
        assert!(!widens_string("sa.Text()", "sa.String(50)"));
        assert!(!widens_string("sa.Integer()", "sa.BigInteger()"));
        assert!(!widens_string("StringID(length=250)", "sa.Text()"));
        assert!(!widens_string("sa.String(50)", "postgresql.JSONB()"));
    }

    #[test]
    fn types_the_model_cannot_know_have_no_canonical_form() {
        assert_eq!(canonical_type("UtcDateTime(timezone=True)"), None);
        assert_eq!(canonical_type("StringID(length=250)"), None);
        assert_eq!(
            canonical_type("sa.String(length=36).with_variant(postgresql.UUID(), \"postgresql\")"),
            None
        );
    }

    #[test]
    fn spellings_of_one_default_are_equal() {
        assert_eq!(
            canonical_default("sa.text(\"now()\")"),
            canonical_default("now()")
        );
        assert_eq!(
            canonical_default("sa.func.now()"),
            canonical_default("NOW()")
        );
        assert_eq!(canonical_default("\"x\""), canonical_default("'x'"));
        assert_eq!(
            canonical_default("sa.text(\"0\")"),
            canonical_default("(0)")
        );
        assert_eq!(
            canonical_default("\"0\""),
            canonical_default("sa.text(\"0\")")
        );
        assert_ne!(
            canonical_default("\"0\""),
            canonical_default("sa.text(\"1\")")
        );
        for constant in [
            "sa.sql.false()",
            "sqlalchemy.sql.expression.false()",
            "false()",
        ] {
            assert_eq!(
                canonical_default(constant),
                canonical_default("sa.text(\"false\")")
            );
        }
        assert_ne!(canonical_default("app.false()"), canonical_default("false"));
        assert_eq!(
            canonical_default("sa.func.current_timestamp()"),
            canonical_default("sa.text(\"CURRENT_TIMESTAMP\")")
        );
        assert_ne!(
            canonical_default("sa.func.now()"),
            canonical_default("sa.text(\"CURRENT_TIMESTAMP\")")
        );
        assert_eq!(
            canonical_default("sa.text(\"'disabled'::malwarecheckstate\")"),
            canonical_default("\"disabled\"")
        );
        assert_eq!(
            canonical_default("sa.text(\"'active'::character varying\")"),
            canonical_default("'active'")
        );
        assert_ne!(
            canonical_default("sa.text(\"'a'::text || 'b'\")"),
            canonical_default("'a'")
        );
    }

    #[test]
    fn postgres_alters_in_place_only_without_a_rewrite() {
        for (before, after) in [
            ("sa.String(50)", "sa.String(length=200)"),
            ("VARCHAR(50)", "TEXT"),
            ("sa.VARCHAR(length=10)", "sa.String()"),
            ("sa.Float()", "sa.Float(53)"),
            ("sa.Float(precision=53)", "DOUBLE PRECISION"),
            ("REAL", "sa.Float(24)"),
            ("sa.String(length=50)", "VARCHAR(50)"),
        ] {
            assert!(
                postgres_alters_in_place(before, after),
                "{before} -> {after}"
            );
        }
        for (before, after) in [
            ("sa.String(200)", "sa.String(50)"),
            ("sa.Text()", "sa.String(50)"),
            ("sa.Integer()", "sa.BigInteger()"),
            ("REAL", "sa.Float()"),
            ("sa.Float(precision=p)", "sa.Float(53)"),
            ("sa.Float()", "sa.Numeric()"),
            ("MyType()", "MyType()x"),
        ] {
            assert!(
                !postgres_alters_in_place(before, after),
                "{before} -> {after}"
            );
        }
    }
}

#[cfg(test)]
mod variant_tests {
    use super::*;

    #[test]
    fn a_variant_is_the_type_on_its_dialect_only() {
        let text = r#"sa.String(36).with_variant(postgresql.UUID(), "postgresql")"#;
        assert_eq!(type_on(text, &["postgresql"]), "postgresql.UUID()");
        assert_eq!(type_on(text, &["sqlite"]), "sa.String(36)");
        assert_eq!(type_on(text, &[]), "sa.String(36)");
        assert_eq!(
            type_on(
                r#"sa.Text().with_variant(mysql.MEDIUMTEXT(), ("mysql", "mariadb"))"#,
                &["mysql", "mariadb"]
            ),
            "mysql.MEDIUMTEXT()"
        );
        // No variant, or text that is no expression: as written.
        assert_eq!(type_on("sa.Uuid()", &["postgresql"]), "sa.Uuid()");
        assert_eq!(type_on("VARCHAR(", &["postgresql"]), "VARCHAR(");
        // The parser's reading, with or without it: no white space or parentheses around.
        assert_eq!(type_on(" sa.Text() ", &["postgresql"]), "sa.Text()");
        assert_eq!(type_on("(sa.Text())", &["postgresql"]), "sa.Text()");
    }

    #[test]
    fn types_equal_on_the_dialect_compare_equal() {
        let on_postgres = |text: &str| canonical_type(&type_on(text, &["postgresql"]));
        assert_eq!(
            on_postgres(r#"sa.String(36).with_variant(postgresql.UUID(), "postgresql")"#),
            on_postgres("sa.Uuid()")
        );
        assert_ne!(
            on_postgres(r#"sa.String(36).with_variant(sa.Text(), "sqlite")"#),
            on_postgres("sa.Uuid()")
        );
    }
}
