//! One ranked page of hits, one statement per backend: FTS5 on SQLite, `tsvector` + `pg_trgm` on
//! PostgreSQL (see the `create_search_index` migration). User text reaches SQL only as bound values.
//!
//! Score = relevance × (1 + 2 × closeness). Relevance is `bm25` (title weighted 10:1) or `ts_rank`
//! (title A, body B); a hit found only by substring runs gets 1 for a title match, ½ for the body.
//! Closeness, counted only when the title matches every term, is how much of the title the text is
//! (trigram similarity on PostgreSQL, the share of its characters on SQLite), so that the record
//! named as searched comes before records that merely mention it. Ties: kind, then id.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};

use super::terms::{MARK_END, MARK_START, Terms};

/// What to look for and which slice of the ranking to return.
pub struct Search<'a> {
    pub terms: &'a Terms,
    /// Stored kinds to keep; `None` keeps all.
    pub kinds: Option<Vec<&'static str>>,
    /// ` AND (…)`: the hits the caller may read (see the policy); empty for admins.
    pub readable: String,
    pub limit: u64,
    pub offset: u64,
}

/// One ranked hit with the text its snippet is cut from.
pub struct HitRow {
    pub kind: String,
    pub record_id: i64,
    pub score: f64,
    /// Number of hits across all pages.
    pub total: i64,
    /// The database's snippet; `None` when only substring runs matched.
    pub snippet: Option<String>,
    pub title: String,
    pub body: String,
}

pub async fn page(db: &DatabaseConnection, search: &Search<'_>) -> Result<Vec<HitRow>, DbErr> {
    let statement = match db.get_database_backend() {
        DbBackend::Postgres => postgres(search),
        _ => sqlite(search),
    };
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| {
            Ok(HitRow {
                kind: row.try_get("", "kind")?,
                record_id: row.try_get("", "record_id")?,
                score: row.try_get("", "score")?,
                total: row.try_get("", "total")?,
                snippet: row.try_get("", "snippet")?,
                title: row.try_get("", "title")?,
                body: row.try_get("", "body")?,
            })
        })
        .collect()
}

/// Bound values and their placeholders, numbered so that one value can be used twice.
struct Binds {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Binds {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        let n = self.values.len();
        match self.backend {
            DbBackend::Postgres => format!("${n}"),
            _ => format!("?{n}"),
        }
    }

    /// `AND kind IN (…)` when the kinds are restricted.
    fn kinds(&mut self, kinds: Option<&[&'static str]>) -> String {
        let Some(kinds) = kinds else {
            return String::new();
        };
        let list: Vec<String> = kinds.iter().map(|k| self.bind(*k)).collect();
        format!(" AND kind IN ({})", list.join(", "))
    }

    /// One condition per run, each over `columns` (OR), all required (AND); `like` is the operator.
    fn runs(&mut self, patterns: &[String], columns: &[&str], like: &str) -> Vec<String> {
        patterns
            .iter()
            .map(|pattern| {
                let p = self.bind(pattern.as_str());
                let any: Vec<String> = columns
                    .iter()
                    .map(|c| format!("{c} {like} {p} ESCAPE '\\'"))
                    .collect();
                format!("({})", any.join(" OR "))
            })
            .collect()
    }

    fn finish(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

fn and_all(conditions: &[String]) -> String {
    conditions
        .iter()
        .map(|c| format!(" AND {c}"))
        .collect::<String>()
}

fn sqlite(s: &Search<'_>) -> Statement {
    let mut b = Binds::new(DbBackend::Sqlite);
    let patterns = s.terms.like_patterns();
    let len = b.bind(s.terms.text().chars().count() as i64);
    let closeness = format!("min(1.0, {len} * 1.0 / max(length(title), 1))");
    let kinds = b.kinds(s.kinds.as_deref()) + &s.readable;
    let in_body = b.runs(&patterns, &["title", "body"], "LIKE");
    let (limit, offset) = (b.bind(s.limit as i64), b.bind(s.offset as i64));
    if s.terms.words.is_empty() {
        let in_title = b.runs(&patterns, &["title"], "LIKE");
        let sql = format!(
            "SELECT kind, record_id, title, body, NULL AS snippet,
                    CASE WHEN 1{title_all} THEN 1.0 + 2.0 * {closeness} ELSE 0.5 END AS score,
                    count(*) OVER () AS total
             FROM search_index WHERE 1{kinds}{runs}
             ORDER BY score DESC, kind, record_id LIMIT {limit} OFFSET {offset}",
            title_all = and_all(&in_title),
            runs = and_all(&in_body),
        );
        return b.finish(sql);
    }
    let fts = b.bind(s.terms.fts5());
    let fts_title = b.bind(format!("{{title}} : ({})", s.terms.fts5()));
    // bm25() cannot be used beside a window function; the `rank` column can. Its weights count the
    // unindexed columns too: kind, record_id, title, body.
    let inner = format!(
        "SELECT rowid AS rid, kind, record_id,
                -rank * (1.0 + 2.0 * CASE WHEN rowid IN
                   (SELECT rowid FROM search_index WHERE search_index MATCH {fts_title})
                   THEN {closeness} ELSE 0.0 END) AS score,
                count(*) OVER () AS total
         FROM search_index
         WHERE search_index MATCH {fts} AND rank MATCH 'bm25(0.0, 0.0, 10.0, 1.0)'{kinds}{runs}
         ORDER BY score DESC, kind, record_id LIMIT {limit} OFFSET {offset}",
        runs = and_all(&in_body),
    );
    // snippet() only for the page: joined back under the same MATCH.
    let sql = format!(
        "SELECT h.kind, h.record_id, h.score, h.total, search_index.title, search_index.body,
                snippet(search_index, -1, '{MARK_START}', '{MARK_END}', '…', 20) AS snippet
         FROM ({inner}) AS h JOIN search_index ON search_index.rowid = h.rid
         WHERE search_index MATCH {fts}
         ORDER BY h.score DESC, h.kind, h.record_id"
    );
    b.finish(sql)
}

fn postgres(s: &Search<'_>) -> Statement {
    let mut b = Binds::new(DbBackend::Postgres);
    let patterns = s.terms.like_patterns();
    let text = b.bind(s.terms.text());
    let kinds = b.kinds(s.kinds.as_deref()) + &s.readable;
    let in_body = b.runs(&patterns, &["title", "body"], "ILIKE");
    let (limit, offset) = (b.bind(s.limit as i64), b.bind(s.offset as i64));
    if s.terms.words.is_empty() {
        let in_title = b.runs(&patterns, &["title"], "ILIKE");
        let sql = format!(
            "SELECT kind, record_id, title, body, NULL::text AS snippet,
                    CASE WHEN true{title_all}
                         THEN (1 + 2 * search_closeness(title, {text}))::float8
                         ELSE 0.5::float8 END AS score,
                    count(*) OVER () AS total
             FROM search_index WHERE true{kinds}{runs}
             ORDER BY score DESC, kind, record_id LIMIT {limit} OFFSET {offset}",
            title_all = and_all(&in_title),
            runs = and_all(&in_body),
        );
        return b.finish(sql);
    }
    let tsquery = b.bind(s.terms.tsquery());
    // ts_filter keeps the title's (weight A) lexemes: the title matches every word.
    let inner = format!(
        "SELECT kind, record_id, title, body, ts_filter(document, '{{a}}') @@ q AS in_title,
                (ts_rank(document, q) * (1 + 2 * CASE WHEN ts_filter(document, '{{a}}') @@ q
                   THEN search_closeness(title, {text}) ELSE 0 END))::float8 AS score,
                count(*) OVER () AS total
         FROM search_index CROSS JOIN to_tsquery('ucap_search', {tsquery}) AS query(q)
         WHERE document @@ q{kinds}{runs}
         ORDER BY score DESC, kind, record_id LIMIT {limit} OFFSET {offset}",
        runs = and_all(&in_body),
    );
    let sql = format!(
        "SELECT kind, record_id, score, total, title, body,
                ts_headline('ucap_search', CASE WHEN in_title THEN title ELSE body END,
                            to_tsquery('ucap_search', {tsquery}),
                            'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=20, MinWords=6, ShortWord=0, MaxFragments=1')
                  AS snippet
         FROM ({inner}) AS h
         ORDER BY score DESC, kind, record_id"
    );
    b.finish(sql)
}
