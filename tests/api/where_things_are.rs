//! The README's "Where things are" table tells a newcomer, for each endpoint, its route file, its
//! use case and the files of its queries. This keeps the table true of the code, both ways: every
//! operation of the OpenAPI document has its row; each row's route file declares the endpoint and
//! calls the use case named; the use case is a public function of the file named; every query
//! file exists; and no route file touches the database itself.

use std::{collections::BTreeSet, fs, path::Path};

use serde_json::Value;

const SECTION: &str = "## Where things are";
/// What the use-case cell says of an endpoint whose workflow has not moved out of its route yet.
const STILL_IN_THE_ROUTE: &str = "still in the route";

fn repo_file(relative: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// The text between backquotes in a cell, each one.
fn quoted(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

struct Row {
    method: String,
    path: String,
    route: String,
    /// `None` for an endpoint that reads no storage (`/health`, the published keys) or whose
    /// workflow is still written in its route ([`STILL_IN_THE_ROUTE`]).
    flow: Option<String>,
    /// The row says the workflow has not moved to a use case yet.
    still_in_route: bool,
    queries: Vec<String>,
}

fn rows() -> Vec<Row> {
    let readme = repo_file("README.md");
    let start = readme
        .find(SECTION)
        .expect("the README has a \"Where things are\" section");
    let section = &readme[start + SECTION.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
            assert_eq!(cells.len(), 4, "a row has four cells: {line}");
            let endpoint = quoted(cells[0]);
            let (method, path) = endpoint[0].split_once(' ').expect("METHOD /path");
            Row {
                method: method.to_owned(),
                path: path.to_owned(),
                route: quoted(cells[1])[0].to_owned(),
                flow: quoted(cells[2]).first().map(|f| (*f).to_owned()),
                still_in_route: cells[2].contains(STILL_IN_THE_ROUTE),
                queries: quoted(cells[3]).into_iter().map(str::to_owned).collect(),
            }
        })
        .collect()
}

#[test]
fn every_operation_of_the_document_has_its_row_and_nothing_else_does() {
    let document: Value =
        serde_json::from_str(&comptexpert::openapi::document_json()).expect("valid JSON");
    let documented: BTreeSet<String> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("path item")
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    let listed: BTreeSet<String> = rows()
        .iter()
        .map(|row| format!("{} {}", row.method, row.path))
        .collect();
    assert_eq!(
        documented.difference(&listed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "operations missing from the README's table"
    );
    assert_eq!(
        listed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "rows of the README's table that the document does not have"
    );
}

#[test]
fn each_row_names_the_route_file_its_use_case_and_its_queries_as_they_are() {
    for row in rows() {
        let route = repo_file(&row.route);
        let local = row.path.strip_prefix("/v1").unwrap_or(&row.path);
        let attribute = format!("#[{}(\"{local}\")]", row.method.to_lowercase());
        assert!(
            route.contains(&attribute),
            "{} does not declare {attribute}",
            row.route
        );
        // Compared without white space: rustfmt splits `ctx.db.run(…)` over lines.
        let compact: String = route.chars().filter(|c| !c.is_whitespace()).collect();
        let touching = [
            "diesel::",
            "sql_query",
            "DbConnection::",
            ".db.run",
            "write_transaction",
        ];
        if row.still_in_route {
            assert!(
                touching.iter().any(|t| compact.contains(t)),
                "{} no longer touches the database: name its use case in the README",
                row.route
            );
            continue;
        }
        for forbidden in touching {
            assert!(
                !compact.contains(forbidden),
                "{} touches the database ({forbidden})",
                row.route
            );
        }

        let Some(flow_path) = &row.flow else {
            assert!(
                row.queries.is_empty(),
                "{}: queries without a use case",
                row.route
            );
            continue;
        };
        // `flows::a::b::f` is `pub (async) fn f` in src/flows/a/b.rs or src/flows/a/b/mod.rs.
        let (module, function) = flow_path.rsplit_once("::").expect("a path to a function");
        let module = module.replace("::", "/");
        let file = [format!("src/{module}.rs"), format!("src/{module}/mod.rs")]
            .into_iter()
            .find(|f| Path::new(env!("CARGO_MANIFEST_DIR")).join(f).exists())
            .unwrap_or_else(|| panic!("{flow_path}: no file for {module}"));
        let flow = repo_file(&file);
        assert!(
            ["pub async fn", "pub fn"].iter().any(|declared| {
                [
                    format!("{declared} {function}("),
                    format!("{declared} {function}<"),
                ]
                .iter()
                .any(|d| flow.contains(d.as_str()))
            }),
            "{file} has no public function {function}"
        );
        // Called by its name, or by the name the route imports it under.
        let alias = format!("{function} as ");
        assert!(
            route.contains(&format!("{function}(")) || route.contains(&alias),
            "{} does not call {flow_path}",
            row.route
        );
        for query_file in &row.queries {
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(query_file)
                    .exists(),
                "{query_file} (queries of {} {}) does not exist",
                row.method,
                row.path
            );
        }
    }
}
