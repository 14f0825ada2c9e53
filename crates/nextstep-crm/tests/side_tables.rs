//! Accounts and reps: the Maven side tables (fixture copies of the real files) and the
//! generic shapes, with their row errors.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;

use nextstep_core::model::{NewAccount, NewRep};
use nextstep_crm::{ImportError, Reason, RowError, read_accounts, read_reps};

fn fixture(name: &str) -> File {
    File::open(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn maven_accounts() {
    let file = read_accounts(fixture("maven_accounts.csv")).unwrap();
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    assert_eq!(file.accounts.len(), 85);
    assert_eq!(
        file.accounts[0],
        NewAccount {
            name: "Acme Corporation".into(),
            sector: Some("technolgy".into()), // misspelled in the source, kept as is
            year_established: Some(1996),
            revenue_millions: Some(1100.04),
            employees: Some(2822),
            location: Some("United States".into()),
            parent: None,
        }
    );
    let bluth = file
        .accounts
        .iter()
        .find(|a| a.name == "Bluth Company")
        .unwrap();
    assert_eq!(bluth.parent.as_deref(), Some("Acme Corporation"));
    assert_eq!(
        file.accounts.iter().filter(|a| a.parent.is_some()).count(),
        15
    );
    assert!(
        file.accounts
            .iter()
            .all(|a| a.sector.is_some() && a.employees.is_some())
    );
}

#[test]
fn maven_sales_teams() {
    let file = read_reps(fixture("maven_sales_teams.csv")).unwrap();
    assert!(file.rejects.is_empty(), "{:#?}", file.rejects);
    assert_eq!(file.reps.len(), 35);
    assert_eq!(
        file.reps[0],
        NewRep {
            name: "Anna Snelling".into(),
            manager: Some("Dustin Brinkmann".into()),
            team: Some("Central".into()),
            email: None,
        }
    );
    let mut managers: BTreeMap<&str, usize> = BTreeMap::new();
    for rep in &file.reps {
        *managers.entry(rep.manager.as_deref().unwrap()).or_default() += 1;
    }
    assert_eq!(
        managers.into_iter().collect::<Vec<_>>(),
        [
            ("Cara Losch", 6),
            ("Celia Rouche", 6),
            ("Dustin Brinkmann", 5),
            ("Melvin Marxen", 6),
            ("Rocco Neubert", 6),
            ("Summer Sewald", 6)
        ]
    );
    let mut teams: BTreeMap<&str, usize> = BTreeMap::new();
    for rep in &file.reps {
        *teams.entry(rep.team.as_deref().unwrap()).or_default() += 1;
    }
    assert_eq!(
        teams.into_iter().collect::<Vec<_>>(),
        [("Central", 11), ("East", 12), ("West", 12)]
    );
}

fn err(row: u64, line: u64, column: &str, value: &str, reason: Reason) -> RowError {
    RowError {
        row,
        line,
        column: column.into(),
        value: value.into(),
        reason,
    }
}

#[test]
fn generic_reps_with_errors() {
    let csv = "Name,Manager,Team,Email\n\
               Ana Lima,Sara Costa,EMEA,ana@example.com\n\
               Jonas Berg,Sara Costa,EMEA,\n\
               ,Sara Costa,EMEA,x@example.com\n\
               Ana Lima,Other,US,\n\
               Sara Costa,,EMEA,sara@example.com\n";
    let file = read_reps(csv.as_bytes()).unwrap();
    let names: Vec<&str> = file.reps.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Jonas Berg", "Sara Costa"]);
    assert_eq!(file.reps[1].email.as_deref(), Some("sara@example.com"));
    assert_eq!(file.reps[1].manager, None);
    let errors: Vec<RowError> = file.rejects.iter().flat_map(|r| r.errors.clone()).collect();
    assert_eq!(
        errors,
        [
            err(
                1,
                2,
                "Name",
                "Ana Lima",
                Reason::Duplicate {
                    other_row: 4,
                    other_line: 5
                }
            ),
            err(3, 4, "Name", "", Reason::Missing),
            err(
                4,
                5,
                "Name",
                "Ana Lima",
                Reason::Duplicate {
                    other_row: 1,
                    other_line: 2
                }
            ),
        ]
    );
}

#[test]
fn generic_accounts_with_errors() {
    let csv = "name,industry,founded,revenue,employees,country,parent\n\
               Acme,software,1999,\"1,250.5\",\"1,200\",Germany,\n\
               Beta,retail,nineteen,12,40,France,Acme\n\
               Gamma,retail,2001,lots,4.5,Spain,\n";
    let file = read_accounts(csv.as_bytes()).unwrap();
    assert_eq!(file.accounts.len(), 1);
    assert_eq!(file.accounts[0].revenue_millions, Some(1250.5));
    assert_eq!(file.accounts[0].employees, Some(1200));
    assert_eq!(file.accounts[0].location.as_deref(), Some("Germany"));
    let errors: Vec<RowError> = file.rejects.iter().flat_map(|r| r.errors.clone()).collect();
    assert_eq!(
        errors,
        [
            err(2, 3, "founded", "nineteen", Reason::NotANumber),
            err(3, 4, "revenue", "lots", Reason::NotANumber),
            err(3, 4, "employees", "4.5", Reason::NotANumber),
        ]
    );
}

#[test]
fn side_tables_need_a_name_column() {
    let err = read_reps("manager,team\nA,B\n".as_bytes()).unwrap_err();
    assert!(
        matches!(err, ImportError::MissingColumn { field: "name", .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("\"sales_agent\""), "{err}");
    let err = read_accounts("sector\nx\n".as_bytes()).unwrap_err();
    assert!(
        matches!(err, ImportError::MissingColumn { field: "name", .. }),
        "{err:?}"
    );
}
