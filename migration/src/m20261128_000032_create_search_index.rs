//! `search_index`: one full-text document per searchable record (plan, theme, activity, MoU,
//! organization, city), kept current by triggers so that every write path (the importer, future
//! mutations, plain SQL) updates it. What a document holds is defined once per backend, in the
//! `search_document` view; the triggers only say which records to re-read from it.
//!
//! SQLite: an FTS5 table (unicode61, diacritics removed), rowid = record_id * 8 + kind code so that a
//! trigger finds the row to replace by key instead of scanning the unindexed columns.
//! PostgreSQL: a table with a weighted `tsvector` (a `simple` configuration with `unaccent` when the
//! extension can be installed) and `pg_trgm` indexes for substring matches (CJK text has no spaces,
//! so its words cannot be found by the word index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The indexed tables: kind (as the API names it), SQLite rowid code, table, and the document of a
/// record (id, title, body). A plan is found by its focal city's names; a city by its native name,
/// region and every alias (the alias list repeats neither name). Plain `||` and `group_concat`
/// without ORDER BY: the schema must stay readable by SQLite shells older than 3.44.
const SOURCES: [(&str, i64, &str, &str); 6] = [
    (
        "PLAN",
        1,
        "plan",
        "p.id, p.title,
         trim(p.slug || ' ' || coalesce(c.name, '') || ' ' || coalesce(c.native_name, ''))
         FROM plan p LEFT JOIN city c ON c.id = p.focal_city_id",
    ),
    (
        "THEME",
        2,
        "theme",
        "t.id, t.title, coalesce(t.description, '') FROM theme t",
    ),
    (
        "ACTIVITY",
        3,
        "activity",
        "a.id, a.title, trim(coalesce(a.description, '') || ' ' || coalesce(a.place_text, ''))
         FROM activity a",
    ),
    ("MOU", 4, "mou", "m.id, m.subject, '' FROM mou m"),
    (
        "ORGANIZATION",
        5,
        "organization",
        "o.id, o.name, '' FROM organization o",
    ),
    (
        "CITY",
        6,
        "city",
        "c.id, trim(c.name || ' ' || coalesce(c.native_name, '')),
         trim(coalesce(c.region, '') || ' ' || coalesce(ALIASES, '')) FROM city c",
    ),
];

/// The aliases of city `c`, space-separated (SQLite / PostgreSQL spelling).
const SQLITE_ALIASES: &str = "(SELECT group_concat(n.name, ' ') FROM city_name n
    WHERE n.city_id = c.id AND n.name NOT IN (c.name, coalesce(c.native_name, '')))";
const POSTGRES_ALIASES: &str = "(SELECT string_agg(n.name, ' ' ORDER BY n.id) FROM city_name n
    WHERE n.city_id = c.id AND n.name NOT IN (c.name, coalesce(c.native_name, '')))";

/// `search_document`: every record's document, the one definition the triggers and backfill read.
fn document_view(aliases: &str) -> String {
    let arms = SOURCES.map(|(kind, code, _, document)| {
        format!(
            "SELECT '{kind}', {code}, {}",
            document.replace("ALIASES", aliases)
        )
    });
    format!(
        "CREATE VIEW search_document (kind, code, record_id, title, body) AS {}",
        arms.join(" UNION ALL ")
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_up(),
            DbBackend::Postgres => postgres_up(),
            other => {
                return Err(DbErr::Migration(format!(
                    "search_index: unsupported backend {other:?}"
                )));
            }
        };
        run(manager, statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Sqlite => sqlite_down(),
            DbBackend::Postgres => postgres_down(),
            _ => Vec::new(),
        };
        run(manager, statements).await
    }
}

async fn run(manager: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// Replaces the index row of record `id` (an SQL expression) of `kind` by what the view says.
fn sqlite_reindex(kind: &str, code: i64, id: &str) -> String {
    format!(
        "DELETE FROM search_index WHERE rowid = {id} * 8 + {code};
         INSERT INTO search_index (rowid, kind, record_id, title, body)
           SELECT record_id * 8 + code, kind, record_id, title, body FROM search_document
           WHERE kind = '{kind}' AND record_id = {id};"
    )
}

fn sqlite_up() -> Vec<String> {
    let mut sql = vec![
        r#"CREATE VIRTUAL TABLE search_index USING fts5(
             kind UNINDEXED, record_id UNINDEXED, title, body,
             tokenize = "unicode61 remove_diacritics 2")"#
            .to_owned(),
        document_view(SQLITE_ALIASES),
    ];
    for (kind, code, table, _) in SOURCES {
        let reindex_new = sqlite_reindex(kind, code, "NEW.id");
        let drop_old = format!("DELETE FROM search_index WHERE rowid = OLD.id * 8 + {code};");
        // A city's name is part of its plans' documents too.
        let plans = if kind == "CITY" {
            sqlite_reindex_plans_of_city()
        } else {
            String::new()
        };
        sql.push(format!(
            "CREATE TRIGGER search_index_{table}_insert AFTER INSERT ON {table}
             BEGIN {reindex_new} END"
        ));
        sql.push(format!(
            "CREATE TRIGGER search_index_{table}_update AFTER UPDATE ON {table}
             BEGIN {drop_old} {reindex_new} {plans} END"
        ));
        sql.push(format!(
            "CREATE TRIGGER search_index_{table}_delete AFTER DELETE ON {table}
             BEGIN {drop_old} END"
        ));
    }
    let (city, code) = ("CITY", 6);
    let new_city = sqlite_reindex(city, code, "NEW.city_id");
    let old_city = sqlite_reindex(city, code, "OLD.city_id");
    sql.push(format!(
        "CREATE TRIGGER search_index_city_name_insert AFTER INSERT ON city_name
         BEGIN {new_city} END"
    ));
    sql.push(format!(
        "CREATE TRIGGER search_index_city_name_update AFTER UPDATE ON city_name
         BEGIN {old_city} {new_city} END"
    ));
    sql.push(format!(
        "CREATE TRIGGER search_index_city_name_delete AFTER DELETE ON city_name
         BEGIN {old_city} END"
    ));
    sql.push(
        "INSERT INTO search_index (rowid, kind, record_id, title, body)
           SELECT record_id * 8 + code, kind, record_id, title, body FROM search_document"
            .to_owned(),
    );
    sql
}

fn sqlite_reindex_plans_of_city() -> String {
    "DELETE FROM search_index WHERE rowid IN
       (SELECT id * 8 + 1 FROM plan WHERE focal_city_id = NEW.id);
     INSERT INTO search_index (rowid, kind, record_id, title, body)
       SELECT record_id * 8 + code, kind, record_id, title, body FROM search_document
       WHERE kind = 'PLAN' AND record_id IN (SELECT id FROM plan WHERE focal_city_id = NEW.id);"
        .to_owned()
}

fn sqlite_down() -> Vec<String> {
    let mut tables: Vec<&str> = SOURCES.iter().map(|(_, _, table, _)| *table).collect();
    tables.push("city_name");
    let mut sql: Vec<String> = tables
        .iter()
        .flat_map(|table| {
            ["insert", "update", "delete"]
                .map(|op| format!("DROP TRIGGER IF EXISTS search_index_{table}_{op}"))
        })
        .collect();
    sql.push("DROP VIEW IF EXISTS search_document".to_owned());
    sql.push("DROP TABLE IF EXISTS search_index".to_owned());
    sql
}

/// The token types that carry letters: accents are folded (when `unaccent` exists), then lower-cased.
const PG_WORD_TOKENS: &str = "asciiword, asciihword, hword_asciipart, word, hword, hword_part, \
                              numword, numhword, hword_numpart";

fn postgres_up() -> Vec<String> {
    let mut sql = vec![
        // Both extensions are trusted (a database owner may install them) and ship with PostgreSQL,
        // but a server without contrib must still migrate: search then loses accent folding and
        // the trigram indexes, nothing else.
        "DO $$ BEGIN
           BEGIN CREATE EXTENSION IF NOT EXISTS unaccent;
           EXCEPTION WHEN OTHERS THEN
             RAISE NOTICE 'search: unaccent unavailable (%), accents are matched as written', SQLERRM;
           END;
           BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm;
           EXCEPTION WHEN OTHERS THEN
             RAISE NOTICE 'search: pg_trgm unavailable (%), substring search scans', SQLERRM;
           END;
         END $$"
            .to_owned(),
        "CREATE TEXT SEARCH CONFIGURATION ucap_search (COPY = simple)".to_owned(),
        format!(
            "DO $$ BEGIN
               ALTER TEXT SEARCH CONFIGURATION ucap_search
                 ALTER MAPPING FOR {PG_WORD_TOKENS} WITH unaccent, simple;
             EXCEPTION WHEN OTHERS THEN
               RAISE NOTICE 'search: accents are matched as written (%)', SQLERRM;
             END $$"
        ),
        "CREATE TABLE search_index (
           kind varchar(16) NOT NULL,
           record_id bigint NOT NULL,
           title text NOT NULL,
           body text NOT NULL,
           document tsvector GENERATED ALWAYS AS (
             setweight(to_tsvector('ucap_search', title), 'A')
             || setweight(to_tsvector('ucap_search', body), 'B')) STORED,
           PRIMARY KEY (kind, record_id))"
            .to_owned(),
        "CREATE INDEX idx_search_index_document ON search_index USING gin (document)".to_owned(),
        // How close a title is to the searched text: trigram similarity, or without pg_trgm the share
        // of the title the text covers (what SQLite uses).
        "DO $$ BEGIN
           CREATE INDEX idx_search_index_title_trgm ON search_index USING gin (title gin_trgm_ops);
           CREATE INDEX idx_search_index_body_trgm ON search_index USING gin (body gin_trgm_ops);
           CREATE FUNCTION search_closeness(title text, query text) RETURNS real
             LANGUAGE sql STABLE AS 'SELECT similarity(title, query)';
         EXCEPTION WHEN OTHERS THEN
           CREATE FUNCTION search_closeness(title text, query text) RETURNS real
             LANGUAGE sql IMMUTABLE
             AS 'SELECT least(1.0, char_length(query)::real / greatest(char_length(title), 1))::real';
         END $$"
            .to_owned(),
        document_view(POSTGRES_ALIASES),
        "CREATE FUNCTION search_index_refresh(p_kind text, p_id bigint) RETURNS void
         LANGUAGE sql AS $$
           DELETE FROM search_index WHERE kind = p_kind AND record_id = p_id;
           INSERT INTO search_index (kind, record_id, title, body)
             SELECT kind, record_id, title, body FROM search_document
             WHERE kind = p_kind AND record_id = p_id;
         $$"
        .to_owned(),
        // TG_ARGV[0] is the kind; a city's name is part of its plans' documents too.
        "CREATE FUNCTION search_index_sync() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE
           k text := TG_ARGV[0];
         BEGIN
           IF TG_OP <> 'INSERT' THEN
             DELETE FROM search_index WHERE kind = k AND record_id = OLD.id;
           END IF;
           IF TG_OP <> 'DELETE' THEN
             PERFORM search_index_refresh(k, NEW.id);
           END IF;
           IF k = 'CITY' AND TG_OP = 'UPDATE' THEN
             PERFORM search_index_refresh('PLAN', p.id) FROM plan p WHERE p.focal_city_id = NEW.id;
           END IF;
           RETURN NULL;
         END $$"
            .to_owned(),
        "CREATE FUNCTION search_index_sync_city_name() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF TG_OP <> 'INSERT' THEN
             PERFORM search_index_refresh('CITY', OLD.city_id);
           END IF;
           IF TG_OP <> 'DELETE' THEN
             PERFORM search_index_refresh('CITY', NEW.city_id);
           END IF;
           RETURN NULL;
         END $$"
            .to_owned(),
    ];
    for (kind, _, table, _) in SOURCES {
        sql.push(format!(
            "CREATE TRIGGER search_index_sync AFTER INSERT OR UPDATE OR DELETE ON {table}
             FOR EACH ROW EXECUTE FUNCTION search_index_sync('{kind}')"
        ));
    }
    sql.push(
        "CREATE TRIGGER search_index_sync AFTER INSERT OR UPDATE OR DELETE ON city_name
         FOR EACH ROW EXECUTE FUNCTION search_index_sync_city_name()"
            .to_owned(),
    );
    sql.push(
        "INSERT INTO search_index (kind, record_id, title, body)
           SELECT kind, record_id, title, body FROM search_document"
            .to_owned(),
    );
    sql
}

fn postgres_down() -> Vec<String> {
    let mut sql: Vec<String> = SOURCES
        .iter()
        .map(|(_, _, table, _)| *table)
        .chain(["city_name"])
        .map(|table| format!("DROP TRIGGER IF EXISTS search_index_sync ON {table}"))
        .collect();
    // The extensions stay: other objects may use them, and they may have been there before.
    sql.extend(
        [
            "DROP FUNCTION IF EXISTS search_index_sync_city_name()",
            "DROP FUNCTION IF EXISTS search_index_sync()",
            "DROP FUNCTION IF EXISTS search_index_refresh(text, bigint)",
            "DROP VIEW IF EXISTS search_document",
            "DROP FUNCTION IF EXISTS search_closeness(text, text)",
            "DROP TABLE IF EXISTS search_index",
            "DROP TEXT SEARCH CONFIGURATION IF EXISTS ucap_search",
        ]
        .map(str::to_owned),
    );
    sql
}
