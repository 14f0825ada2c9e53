//! Tidy: the workspace checked against what ARCHITECTURE.md says of it.
//!
//! In the spirit of rust-analyzer's `xtask tidy`, each test turns one written rule into a
//! failing test, so the map cannot drift from the house unnoticed:
//!
//! - `pure_libraries_reach_no_io_crate`: transcript, analyzer, insight and io pull in no
//!   database, runtime, HTTP, queue or mail crate, directly or through another crate
//!   (`cargo metadata`'s resolved graph, normal dependencies).
//! - `pure_libraries_touch_no_file_network_or_clock`: their non-test source names no
//!   `std::fs`, `std::net`, clock or environment.
//! - `sqlx_only_in_the_store_http_only_in_the_server`: the direct dependencies, every kind.
//! - `no_anyhow_in_a_library`: `anyhow` only in the binary.
//! - `codemap_names_every_crate_and_source_file` and `codemap_names_only_what_exists`:
//!   every crate has a codemap section; every `.rs` file under `crates/` is named in its
//!   crate's section (`src/` files by name or by their path below `src/`, other files by
//!   their path in the crate; a folder named as a whole, like `tests/`, covers its files
//!   unless the section lists some of them one by one; `lib.rs`, `main.rs` and the
//!   `mod.rs` of a named folder go without saying); and every path the codemap names
//!   exists.
//! - `no_sql_inside_a_macro`: no `macro_rules!` body in the store holds an SQL statement
//!   (rustfmt does not format macro bodies and compile errors point at their use): the
//!   SQL lives in plain functions and constants under `nextstep-store/src/sql/`.
//!
//! - `server_modules_only_behind_serve_and_worker`: only the `nextstep` binary depends on
//!   `nextstep-server`, and only its `serve`/`worker` entry points (and their test) name
//!   it in code: the use-cases both faces run are nextstep-core's.
//! - `no_import_circles_between_modules`: within each crate, no module imports (a
//!   `crate::…` or `super::…` path outside its tests) from a module that imports from it,
//!   directly or through others. A module and its own submodules do not count: a folder's
//!   `mod.rs` re-exporting its children, which use its shared items, is one room.
//!
//! Where the code breaks a rule today, the exception is an entry in an allow-list below,
//! with its reason; an entry that is no longer needed fails too, so the lists only shrink.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

// ---------------------------------------------------------------------------------------
// The rules and their exceptions.

/// The libraries ARCHITECTURE.md calls pure ("No IO in the pure libraries"): values in,
/// values out. `nextstep-crm` reads any `Read` and writes any `Write` but opens nothing.
const PURE: &[&str] = &[
    "nextstep-core",
    "nextstep-transcript",
    "nextstep-analyzer",
    "nextstep-insight",
    "nextstep-crm",
];

/// Crates that do IO (a database, an async runtime, HTTP, the job queue, mail). A crate
/// matches if its name is one of these or starts with one followed by `-`.
const IO_CRATES: &[&str] = &[
    "sqlx",
    "tokio",
    "mio",
    "axum",
    "hyper",
    "tower-http",
    "reqwest",
    "ureq",
    "apalis",
    "lettre",
];

/// (pure crate, its direct dependency): IO crates reached through that dependency are
/// tolerated, for the reason given. Remove an entry when its reason is gone; the test
/// fails on entries that no longer excuse anything.
const PURE_EXCEPTIONS: &[(&str, &str, &str)] = &[];

/// Crates only one workspace crate may name as a dependency: the store owns SQL, the
/// server owns HTTP and the job queue.
const OWNED: &[(&str, &str)] = &[
    ("sqlx", "nextstep-store"),
    ("axum", "nextstep-server"),
    ("tower-http", "nextstep-server"),
    ("hyper", "nextstep-server"),
    ("reqwest", "nextstep-server"),
    ("apalis", "nextstep-server"),
];

/// (crate, dependency, kind as `cargo metadata` spells it: "normal", "dev", "build"):
/// direct dependencies on an owned crate allowed elsewhere, for the reason given.
const OWNED_EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "nextstep-server",
        "sqlx",
        "normal",
        "jobs.rs builds apalis' own PostgreSQL pool from the store's connect options and \
         hands it over; no SQL is written there (issue 12: the store could hand over the pool)",
    ),
    (
        "nextstep",
        "sqlx",
        "dev",
        "tests/workers.rs reads and clears apalis' jobs table on PostgreSQL to count each \
         worker's share",
    ),
];

/// The server crate's callers: the entry points `nextstep serve` and `nextstep worker`
/// (`cmd/server.rs`) and the CLI's test of the worker. Paths from the repository root; the server's own files (its `src/`, `tests/`,
/// `benches/`, `examples/`) are not callers.
const SERVER_CALLERS: &[&str] = &[
    "crates/nextstep/src/cmd/server.rs",
    "crates/nextstep/tests/workers.rs",
];

/// (crate folder, module, module, reason): import circles tolerated for now, for the
/// reason given. The test fails on entries that no longer excuse anything.
const CIRCLE_EXCEPTIONS: &[(&str, &str, &str, &str)] = &[];

/// Text that means IO or the clock in a pure library's source (tests excluded).
const IO_IN_SOURCE: &[&str] = &[
    "std::fs",
    "std::net",
    "File::open",
    "File::create",
    "std::env::var",
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "tokio::",
    "sqlx::",
];

/// Codemap paths that are not in a clean checkout: build output.
const GENERATED_PREFIXES: &[&str] = &["target/"];

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn pure_libraries_reach_no_io_crate() {
    let ws = Workspace::load();
    let mut failures = Vec::new();
    let mut used = BTreeSet::new();
    for &krate in PURE {
        let id = ws.id_of(krate);
        for dep in ws.normal_deps(id) {
            let dep_name = ws.name_of(dep);
            let reached = ws.io_crates_reached_from(dep);
            if reached.is_empty() {
                continue;
            }
            if PURE_EXCEPTIONS
                .iter()
                .any(|(c, d, _)| *c == krate && *d == dep_name)
            {
                used.insert((krate, dep_name.to_string()));
                continue;
            }
            for chain in reached {
                failures.push(format!(
                    "{krate} is pure but reaches an IO crate: {krate} → {}",
                    chain.join(" → ")
                ));
            }
        }
    }
    for (c, d, why) in PURE_EXCEPTIONS {
        if !used.contains(&(*c, d.to_string())) {
            failures.push(format!(
                "stale exception: {c} no longer reaches an IO crate through {d} \
                 (remove it from PURE_EXCEPTIONS and ARCHITECTURE.md; it said: {why})"
            ));
        }
    }
    assert_clean("No IO in the pure libraries", failures);
}

#[test]
fn pure_libraries_touch_no_file_network_or_clock() {
    let root = root();
    let mut failures = Vec::new();
    for &krate in PURE {
        for file in files_under(&root.join("crates").join(krate).join("src")) {
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                // The unit tests at the bottom of a module may use the clock and files.
                if line.trim_start().starts_with("#[cfg(test)]") {
                    break;
                }
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                for needle in IO_IN_SOURCE {
                    if code.contains(needle) {
                        failures.push(format!(
                            "{}:{}: `{needle}` in a pure library",
                            rel(&root, &file),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert_clean("No IO in the pure libraries", failures);
}

#[test]
fn sqlx_only_in_the_store_http_only_in_the_server() {
    let ws = Workspace::load();
    let mut failures = Vec::new();
    let mut used = BTreeSet::new();
    for pkg in ws.members() {
        let name = pkg["name"].as_str().unwrap();
        for dep in pkg["dependencies"].as_array().unwrap() {
            let dep_name = dep["name"].as_str().unwrap();
            let kind = dep["kind"].as_str().unwrap_or("normal");
            for (owned, owner) in OWNED {
                if !crate_matches(dep_name, owned) || name == *owner {
                    continue;
                }
                if OWNED_EXCEPTIONS
                    .iter()
                    .any(|(c, d, k, _)| *c == name && *d == dep_name && *k == kind)
                {
                    used.insert((name.to_string(), dep_name.to_string(), kind.to_string()));
                    continue;
                }
                failures.push(format!(
                    "{name} has a {kind} dependency on {dep_name}; only {owner} may"
                ));
            }
        }
    }
    for (c, d, k, why) in OWNED_EXCEPTIONS {
        if !used.contains(&(c.to_string(), d.to_string(), k.to_string())) {
            failures.push(format!(
                "stale exception: {c} has no {k} dependency on {d} any more \
                 (remove it from OWNED_EXCEPTIONS and ARCHITECTURE.md; it said: {why})"
            ));
        }
    }
    assert_clean(
        "No SQL outside the store, no HTTP outside the server",
        failures,
    );
}

#[test]
fn no_anyhow_in_a_library() {
    let ws = Workspace::load();
    let mut failures = Vec::new();
    for pkg in ws.members() {
        let has_lib = pkg["targets"].as_array().unwrap().iter().any(|t| {
            t["kind"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == "lib" || k == "rlib")
        });
        if !has_lib {
            continue;
        }
        for dep in pkg["dependencies"].as_array().unwrap() {
            if dep["name"] == "anyhow" {
                failures.push(format!(
                    "{} is a library and depends on anyhow ({} dependency)",
                    pkg["name"].as_str().unwrap(),
                    dep["kind"].as_str().unwrap_or("normal")
                ));
            }
        }
    }
    assert_clean(
        "Typed errors in libraries, anyhow only in the binary",
        failures,
    );
}

#[test]
fn no_sql_inside_a_macro() {
    let store = root().join("crates/nextstep-store");
    let mut failures = Vec::new();
    for file in files_under(&store) {
        if file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (name, body) in macro_bodies(&text) {
            let upper = body.to_uppercase();
            if ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"]
                .iter()
                .any(|kw| upper.contains(kw))
            {
                failures.push(format!("{}: macro `{name}` holds SQL", rel(&root(), &file)));
            }
        }
    }
    assert_clean("SQL out of macro bodies", failures);
}

/// Each `macro_rules! name { … }` in `text`: its name and body (braces balanced; good
/// enough for the store's code, which has no unbalanced brace in a string).
fn macro_bodies(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("macro_rules!") {
        let after = &rest[at + "macro_rules!".len()..];
        let name: String = after
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(open) = after.find('{') else { break };
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((name, after[open..end].to_string()));
        rest = &after[end..];
    }
    out
}

#[test]
fn codemap_names_every_crate_and_source_file() {
    let root = root();
    let codemap = Codemap::read(&root);
    let mut failures = Vec::new();

    let crates: BTreeSet<String> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| format!("crates/{}", e.file_name().to_string_lossy()))
        .collect();
    let sections: BTreeSet<String> = codemap
        .sections
        .iter()
        .filter_map(|s| s.base.clone())
        .collect();
    for missing in crates.difference(&sections) {
        failures.push(format!(
            "{missing} has no `### `{missing}`` section in the codemap"
        ));
    }
    for gone in sections.difference(&crates) {
        failures.push(format!(
            "the codemap has a section for {gone}, which is not a crate"
        ));
    }

    for section in &codemap.sections {
        let Some(base) = &section.base else { continue };
        let dir = root.join(base);
        if !dir.is_dir() {
            continue;
        }
        let files: Vec<String> = files_under(&dir)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
            .map(|f| rel(&dir, &f))
            .collect();
        let file_tokens: Vec<&str> = section
            .paths
            .iter()
            .filter(|t| !t.ends_with('/'))
            .map(String::as_str)
            .collect();
        let dir_tokens: Vec<&str> = section
            .paths
            .iter()
            .filter(|t| t.ends_with('/'))
            .map(|t| t.trim_end_matches('/'))
            .collect();
        // The codemap names `src/` files by name (`model.rs`, `ui/call.rs`) and the rest
        // by their path in the crate (`tests/story.rs`, `benches/support/synth.rs`).
        let named = |f: &str| {
            file_tokens.iter().any(|t| {
                is_suffix(t, f) && (t.contains('/') || f.starts_with("src/") || !f.contains('/'))
            })
        };
        for file in &files {
            if file == "src/lib.rs" || file == "src/main.rs" || named(file) {
                continue;
            }
            let parent = parent_of(file);
            if file.ends_with("/mod.rs") && dir_tokens.iter().any(|d| is_suffix(d, parent)) {
                continue;
            }
            // A folder the codemap describes as a whole covers its files, unless the
            // codemap lists files of that folder one by one: then it must list them all.
            let covered = ancestors(file).into_iter().any(|a| {
                dir_tokens.iter().any(|d| is_suffix(d, a))
                    && !files
                        .iter()
                        .any(|other| other.starts_with(&format!("{a}/")) && named(other))
            });
            if !covered {
                failures.push(format!("{base}/{file} is not named in the codemap"));
            }
        }
    }
    assert_clean("The codemap names every source file", failures);
}

#[test]
fn codemap_names_only_what_exists() {
    let root = root();
    let codemap = Codemap::read(&root);
    let mut failures = Vec::new();
    for section in &codemap.sections {
        let base = section.base.as_deref();
        let dir = base.map_or_else(|| root.clone(), |b| root.join(b));
        let (files, dirs): (Vec<PathBuf>, Vec<PathBuf>) = if base.is_some() && dir.is_dir() {
            let all = entries_under(&dir);
            all.into_iter().partition(|p| p.is_file())
        } else {
            (Vec::new(), Vec::new())
        };
        let files: Vec<String> = files.iter().map(|f| rel(&dir, f)).collect();
        let dirs: Vec<String> = dirs.iter().map(|d| rel(&dir, d)).collect();
        for token in &section.paths {
            if GENERATED_PREFIXES.iter().any(|p| token.starts_with(p)) {
                continue;
            }
            let exists = if let Some(d) = token.strip_suffix('/') {
                dirs.iter().any(|x| is_suffix(d, x)) || root.join(d).is_dir()
            } else {
                files.iter().any(|x| is_suffix(token, x)) || root.join(token).is_file()
            };
            if !exists {
                failures.push(format!(
                    "the codemap names `{token}` (under {}), which does not exist",
                    base.unwrap_or("Elsewhere")
                ));
            }
        }
    }
    assert_clean("The codemap names only what exists", failures);
}

#[test]
fn server_modules_only_behind_serve_and_worker() {
    let root = root();
    let ws = Workspace::load();
    let mut failures = Vec::new();
    for pkg in ws.members() {
        let name = pkg["name"].as_str().unwrap();
        if name == "nextstep-server" || name == "nextstep" {
            continue;
        }
        for dep in pkg["dependencies"].as_array().unwrap() {
            if dep["name"] == "nextstep-server" {
                failures.push(format!(
                    "{name} depends on nextstep-server; only the nextstep binary may (for \
                     `serve` and `worker`)"
                ));
            }
        }
    }
    for file in files_under(&root.join("crates")) {
        let path = rel(&root, &file);
        if file.extension().is_none_or(|e| e != "rs")
            || path.starts_with("crates/nextstep-server/")
            || path.starts_with("crates/nextstep-tidy/")
            || SERVER_CALLERS.contains(&path.as_str())
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.contains("nextstep_server") && !line.trim_start().starts_with("//") {
                failures.push(format!(
                    "{path}:{}: names nextstep_server; only {} may",
                    n + 1,
                    SERVER_CALLERS.join(" and ")
                ));
            }
        }
    }
    for caller in SERVER_CALLERS {
        if !root.join(caller).is_file() {
            failures.push(format!(
                "SERVER_CALLERS names {caller}, which does not exist"
            ));
        }
    }
    assert_clean(
        "The server's public surface is what `serve` and `worker` call",
        failures,
    );
}

#[test]
fn no_import_circles_between_modules() {
    let root = root();
    let mut failures = Vec::new();
    let mut used = BTreeSet::new();
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        let dir = krate.unwrap().path();
        let src = dir.join("src");
        if !src.is_dir() {
            continue;
        }
        let krate = dir.file_name().unwrap().to_string_lossy().to_string();
        let graph = ModuleGraph::read(&src);
        for circle in graph.circles() {
            let excuse = CIRCLE_EXCEPTIONS.iter().find(|(c, a, b, _)| {
                *c == krate && circle.iter().any(|m| m == a) && circle.iter().any(|m| m == b)
            });
            if let Some((c, a, b, _)) = excuse {
                used.insert((*c, *a, *b));
                continue;
            }
            let shown: Vec<String> = circle
                .iter()
                .map(|m| {
                    let why = graph.edge_lines(m, &circle);
                    format!("{m} ({why})")
                })
                .collect();
            failures.push(format!(
                "{krate}: modules import one another in a circle: {}",
                shown.join(" ⇄ ")
            ));
        }
    }
    for (c, a, b, why) in CIRCLE_EXCEPTIONS {
        if !used.contains(&(*c, *a, *b)) {
            failures.push(format!(
                "stale exception: {c}'s {a} and {b} are no longer in a circle \
                 (remove it from CIRCLE_EXCEPTIONS and ARCHITECTURE.md; it said: {why})"
            ));
        }
    }
    assert_clean("No import circles between modules", failures);
}

// ---------------------------------------------------------------------------------------
// cargo metadata.

struct Workspace {
    meta: Value,
    /// package id → index into `packages`
    packages: HashMap<String, usize>,
    /// package id → (dependency id, has a normal edge)
    edges: HashMap<String, Vec<(String, bool)>>,
}

impl Workspace {
    fn load() -> Workspace {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--manifest-path"])
            .arg(root().join("Cargo.toml"))
            .output()
            .expect("run cargo metadata");
        assert!(
            out.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
        let packages = meta["packages"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, p)| (p["id"].as_str().unwrap().to_string(), i))
            .collect();
        let mut edges = HashMap::new();
        for node in meta["resolve"]["nodes"].as_array().unwrap() {
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let normal = d["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k["kind"].is_null());
                    (d["pkg"].as_str().unwrap().to_string(), normal)
                })
                .collect();
            edges.insert(node["id"].as_str().unwrap().to_string(), deps);
        }
        Workspace {
            meta,
            packages,
            edges,
        }
    }

    fn members(&self) -> Vec<&Value> {
        self.meta["workspace_members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| self.package(id.as_str().unwrap()))
            .collect()
    }

    fn package(&self, id: &str) -> &Value {
        &self.meta["packages"][self.packages[id]]
    }

    fn name_of(&self, id: &str) -> &str {
        self.package(id)["name"].as_str().unwrap()
    }

    fn id_of(&self, name: &str) -> &str {
        self.members()
            .into_iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not a workspace member"))["id"]
            .as_str()
            .unwrap()
    }

    fn normal_deps(&self, id: &str) -> Vec<&str> {
        self.edges[id]
            .iter()
            .filter(|(_, normal)| *normal)
            .map(|(d, _)| d.as_str())
            .collect()
    }

    /// Every IO crate reachable from `start` (itself included) over normal dependencies,
    /// each as the chain of crate names that leads to it.
    fn io_crates_reached_from(&self, start: &str) -> Vec<Vec<String>> {
        let mut parent: HashMap<&str, &str> = HashMap::new();
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        let mut found = Vec::new();
        while let Some(id) = queue.pop_front() {
            if IO_CRATES.iter().any(|c| crate_matches(self.name_of(id), c)) {
                let mut chain = vec![self.name_of(id).to_string()];
                let mut at = id;
                while let Some(p) = parent.get(at) {
                    chain.push(self.name_of(p).to_string());
                    at = p;
                }
                chain.reverse();
                found.push(chain);
                continue;
            }
            for dep in self.normal_deps(id) {
                if seen.insert(dep) {
                    parent.insert(dep, id);
                    queue.push_back(dep);
                }
            }
        }
        found
    }
}

fn crate_matches(name: &str, family: &str) -> bool {
    name == family
        || name
            .strip_prefix(family)
            .is_some_and(|rest| rest.starts_with('-'))
}

// ---------------------------------------------------------------------------------------
// Imports between a crate's modules.

/// A crate's modules (`a`, `a::b`; the root is ``) and, for each, the modules its
/// non-test code names through `crate::…` or `super::…` paths, with the line of the first
/// mention.
struct ModuleGraph {
    edges: BTreeMap<String, BTreeMap<String, String>>,
}

impl ModuleGraph {
    fn read(src: &Path) -> ModuleGraph {
        let mut files = BTreeMap::new();
        for file in files_under(src) {
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = rel(src, &file);
            let module = rel
                .trim_end_matches(".rs")
                .trim_end_matches("/mod")
                .replace('/', "::");
            let module = match module.as_str() {
                "lib" | "main" => String::new(),
                _ => module,
            };
            files.insert(module, file);
        }
        let known: BTreeSet<String> = files.keys().cloned().collect();
        let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (module, file) in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let targets = edges.entry(module.clone()).or_default();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("#[cfg(test)]") {
                    break;
                }
                if code.starts_with("//") {
                    continue;
                }
                for path in module_paths(code, module) {
                    let Some(target) = longest_module(&path, &known) else {
                        continue;
                    };
                    if is_within(&target, module) || is_within(module, &target) {
                        continue;
                    }
                    targets
                        .entry(target)
                        .or_insert_with(|| format!("{}:{}", rel(src, file), n + 1));
                }
            }
        }
        ModuleGraph { edges }
    }

    /// The strongly connected groups of more than one module (Tarjan's algorithm).
    fn circles(&self) -> Vec<Vec<String>> {
        struct Tarjan<'a> {
            graph: &'a ModuleGraph,
            index: HashMap<&'a str, usize>,
            low: HashMap<&'a str, usize>,
            stack: Vec<&'a str>,
            on_stack: BTreeSet<&'a str>,
            next: usize,
            out: Vec<Vec<String>>,
        }
        impl<'a> Tarjan<'a> {
            fn visit(&mut self, v: &'a str) {
                self.index.insert(v, self.next);
                self.low.insert(v, self.next);
                self.next += 1;
                self.stack.push(v);
                self.on_stack.insert(v);
                for w in self.graph.edges.get(v).into_iter().flat_map(|t| t.keys()) {
                    let w = w.as_str();
                    if !self.index.contains_key(w) {
                        self.visit(w);
                        let lw = self.low[w];
                        let lv = self.low.get_mut(v).unwrap();
                        *lv = (*lv).min(lw);
                    } else if self.on_stack.contains(w) {
                        let iw = self.index[w];
                        let lv = self.low.get_mut(v).unwrap();
                        *lv = (*lv).min(iw);
                    }
                }
                if self.low[v] == self.index[v] {
                    let mut group = Vec::new();
                    while let Some(w) = self.stack.pop() {
                        self.on_stack.remove(w);
                        group.push(w.to_string());
                        if w == v {
                            break;
                        }
                    }
                    if group.len() > 1 {
                        group.sort();
                        self.out.push(group);
                    }
                }
            }
        }
        let mut t = Tarjan {
            graph: self,
            index: HashMap::new(),
            low: HashMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            next: 0,
            out: Vec::new(),
        };
        for v in self.edges.keys() {
            if !t.index.contains_key(v.as_str()) {
                t.visit(v);
            }
        }
        t.out
    }

    /// Where `module` names the other members of `circle`, for the failure message.
    fn edge_lines(&self, module: &str, circle: &[String]) -> String {
        self.edges
            .get(module)
            .into_iter()
            .flatten()
            .filter(|(to, _)| circle.contains(to))
            .map(|(to, at)| format!("→ {to} at {at}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The module paths a line names, made absolute: `crate::a::b::C` → `a::b::C`,
/// `super::c::D` in `a::b` → `a::c::D`; `use crate::{a::X, b::Y}` → both.
fn module_paths(code: &str, module: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        if start > 0 {
            let before = code[..start].chars().next_back().unwrap();
            if before.is_alphanumeric() || before == '_' || before == '$' || before == ':' {
                continue;
            }
        }
        let rest = &code[start..];
        let (mut base, tail) = if let Some(tail) = rest.strip_prefix("crate::") {
            (Vec::new(), tail)
        } else {
            let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
            let mut tail = rest;
            while let Some(t) = tail.strip_prefix("super::") {
                base.pop();
                tail = t;
            }
            (base, tail)
        };
        let path_end = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        let path = tail[..path_end].trim_end_matches(':');
        let braces = tail[path_end..].starts_with('{');
        let mut prefix: Vec<String> = base.drain(..).map(str::to_string).collect();
        prefix.extend(
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        if braces {
            let inner = &tail[path_end + 1..];
            let inner = &inner[..inner.find('}').unwrap_or(inner.len())];
            for item in inner.split(',') {
                let item = item.trim().split(" as ").next().unwrap_or("").trim();
                let mut p = prefix.clone();
                p.extend(
                    item.split("::")
                        .filter(|s| !s.is_empty() && *s != "self")
                        .map(str::to_string),
                );
                out.push(p.join("::"));
            }
        } else {
            out.push(prefix.join("::"));
        }
    }
    out
}

/// The longest module of `known` that `path` starts with (`""`, the root, at worst).
fn longest_module(path: &str, known: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (0..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| known.contains(m))
}

/// Whether `inner` is `outer` or one of its submodules.
fn is_within(inner: &str, outer: &str) -> bool {
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}::"))
}

// ---------------------------------------------------------------------------------------
// The codemap.

struct Codemap {
    sections: Vec<Section>,
}

struct Section {
    /// `crates/<name>` for a crate's section; `None` for "Elsewhere" (paths from the root).
    base: Option<String>,
    /// The code spans that name a file (`model.rs`, `tests/story.rs`) or a folder (`ui/`).
    paths: Vec<String>,
}

impl Codemap {
    fn read(root: &Path) -> Codemap {
        let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
        let start = text
            .find("\n## Codemap")
            .expect("ARCHITECTURE.md has a Codemap");
        let body = &text[start + 1..];
        let end = body[1..].find("\n## ").map_or(body.len(), |e| e + 1);
        let body = &body[..end];
        let mut sections = Vec::new();
        for chunk in body.split("\n### ").skip(1) {
            let (heading, rest) = chunk.split_once('\n').unwrap_or((chunk, ""));
            let base = code_spans(heading)
                .into_iter()
                .find(|s| s.starts_with("crates/"));
            let paths = code_spans(rest)
                .into_iter()
                .filter(|s| looks_like_path(s))
                .collect();
            sections.push(Section { base, paths });
        }
        Codemap { sections }
    }
}

fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// A code span that names a file or a folder: no spaces, no wildcard, and either a
/// trailing `/` or a file extension the repository uses.
fn looks_like_path(span: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".rs", ".toml", ".html", ".css", ".js", ".mjs", ".md", ".jsonl", ".bin", ".model", ".sh",
        ".py", ".sql",
    ];
    !span.is_empty()
        && !span.contains(char::is_whitespace)
        && !span.contains('*')
        && !span.starts_with('/')
        && !span.starts_with('.')
        && (span.ends_with('/') || EXTENSIONS.iter().any(|e| span.ends_with(e)))
}

// ---------------------------------------------------------------------------------------
// Paths.

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `a/b.rs` is a suffix of `src/a/b.rs`, component by component (not of `src/xa/b.rs`).
fn is_suffix(token: &str, path: &str) -> bool {
    path == token || path.ends_with(&format!("/{token}"))
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// `src/ui/call.rs` → `["src/ui", "src"]`.
fn ancestors(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = parent_of(path);
    while !at.is_empty() {
        out.push(at);
        at = parent_of(at);
    }
    out
}

fn rel(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Files and folders below `dir`, without build output, dependencies or hidden entries.
fn entries_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in read {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out.sort();
    out
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    entries_under(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .collect()
}

fn assert_clean(rule: &str, failures: Vec<String>) {
    let unique: BTreeMap<&str, ()> = failures.iter().map(|f| (f.as_str(), ())).collect();
    assert!(
        unique.is_empty(),
        "ARCHITECTURE.md, \"{rule}\", is not true ({} finding(s)):\n  {}",
        unique.len(),
        unique.keys().copied().collect::<Vec<_>>().join("\n  ")
    );
}
