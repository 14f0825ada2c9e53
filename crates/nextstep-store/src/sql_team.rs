//! The team server's SQL (users, sessions, tokens, confirmation links, uploads), written
//! once for both drivers like [`impl_sql_store!`], whose helpers (`col`, `step_at`,
//! `call_at`, `insert_call`, `Tx`, …) it expects in scope.

/// `SELECT` of a [`User`](crate::User): 6 columns, decoded by `user_at`.
macro_rules! user_select {
    () => {
        "SELECT u.id, u.email, u.role, u.rep_id, r.name, u.created_at \
         FROM users u LEFT JOIN reps r ON r.id = u.rep_id"
    };
}

/// `SELECT` of an [`ApiToken`](crate::ApiToken): 6 columns, decoded by `token_at`.
macro_rules! token_select {
    () => {
        "SELECT t.id, t.user_id, u.email, t.name, t.created_at, t.expires_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id"
    };
}

/// `SELECT` of a [`ConfirmLink`](crate::ConfirmLink): 8 link columns then the step's
/// 14 (`step_at` order), decoded by `link_at`.
macro_rules! link_select {
    () => {
        "SELECT l.id, l.deal_id, d.name, l.created_at, l.expires_at, l.answer, l.correction, \
         l.answered_at, s.id, s.deal_id, s.action, s.kind, s.owner, s.due, s.defined_by, \
         s.confirmed_by_prospect, s.source, s.call_id, s.evidence, s.status, s.created_at, \
         s.updated_at \
         FROM confirm_links l JOIN deals d ON d.id = l.deal_id \
         JOIN next_steps s ON s.id = l.step_id"
    };
}

/// Columns of an [`Upload`](crate::Upload) with `$content` for the bytes (the column, or
/// an empty slice of it for listings): 14, decoded by `upload_at`.
macro_rules! upload_columns {
    ($content:literal) => {
        concat!(
            "id, deal_id, user_id, file_name, ",
            $content,
            ", call_date, job_id, status, attempts, error, call_id, created_at, updated_at, \
             sellers"
        )
    };
}

/// Implements [`TeamStore`](crate::TeamStore) for `$store`, next to `impl_sql_store!`.
macro_rules! impl_team_store {
    ($store:ident) => {
        use crate::common::{parse_role, parse_upload_status, role_str};
        use crate::{
            ApiToken, ConfirmLink, LinkAnswer, LoginGate, NewApiToken, NewConfirmLink,
            NewSession, NewUpload, NewUser, Role, StoredUpload, Upload, UploadStatus, User,
        };

        /// A [`User`] from `user_select!`'s 6 columns.
        fn user_at(row: &DbRow) -> Result<User, StoreError> {
            Ok(User {
                id: col(row, 0, "users.id")?,
                email: col(row, 1, "users.email")?,
                role: parse_role(&col::<String>(row, 2, "users.role")?)?,
                rep_id: col(row, 3, "users.rep_id")?,
                rep_name: col(row, 4, "reps.name")?,
                created_at: col(row, 5, "users.created_at")?,
            })
        }

        /// An [`ApiToken`] from `token_select!`'s 6 columns.
        fn token_at(row: &DbRow) -> Result<ApiToken, StoreError> {
            Ok(ApiToken {
                id: col(row, 0, "api_tokens.id")?,
                user_id: col(row, 1, "api_tokens.user_id")?,
                email: col(row, 2, "users.email")?,
                name: col(row, 3, "api_tokens.name")?,
                created_at: col(row, 4, "api_tokens.created_at")?,
                expires_at: col(row, 5, "api_tokens.expires_at")?,
            })
        }

        /// A [`ConfirmLink`] from `link_select!`'s columns.
        fn link_at(row: &DbRow) -> Result<ConfirmLink, StoreError> {
            let answer: Option<String> = col(row, 5, "confirm_links.answer")?;
            let answer = match answer.as_deref() {
                None => None,
                Some("yes") => Some(LinkAnswer::Yes),
                Some("not_quite") => Some(LinkAnswer::NotQuite),
                Some(other) => return Err(corrupt("confirm_links.answer", other)),
            };
            Ok(ConfirmLink {
                id: col(row, 0, "confirm_links.id")?,
                deal_id: col(row, 1, "confirm_links.deal_id")?,
                deal_name: col(row, 2, "deals.name")?,
                created_at: col(row, 3, "confirm_links.created_at")?,
                expires_at: col(row, 4, "confirm_links.expires_at")?,
                answer,
                correction: col(row, 6, "confirm_links.correction")?,
                answered_at: col(row, 7, "confirm_links.answered_at")?,
                step: step_at(row, 8)?,
            })
        }

        /// An [`Upload`] from `upload_columns!`.
        fn upload_at(row: &DbRow) -> Result<Upload, StoreError> {
            let content: Option<Vec<u8>> = col(row, 4, "uploads.content")?;
            Ok(Upload {
                id: col(row, 0, "uploads.id")?,
                deal_id: col(row, 1, "uploads.deal_id")?,
                user_id: col(row, 2, "uploads.user_id")?,
                file_name: col(row, 3, "uploads.file_name")?,
                content: content.unwrap_or_default(),
                call_date: col(row, 5, "uploads.call_date")?,
                job_id: col(row, 6, "uploads.job_id")?,
                status: parse_upload_status(&col::<String>(row, 7, "uploads.status")?)?,
                attempts: col(row, 8, "uploads.attempts")?,
                error: col(row, 9, "uploads.error")?,
                call_id: col(row, 10, "uploads.call_id")?,
                created_at: col(row, 11, "uploads.created_at")?,
                updated_at: col(row, 12, "uploads.updated_at")?,
                sellers: col::<Json<Vec<String>>>(row, 13, "uploads.sellers")?.0,
            })
        }

        /// Whether `scope` sees deal `deal_id`.
        async fn deal_visible(
            conn: &mut Conn,
            scope: &Scope,
            deal_id: i64,
        ) -> Result<bool, StoreError> {
            let sql = format!(
                "SELECT d.id FROM deals d WHERE d.id = $1{}",
                scope_condition(scope)
            );
            let found: Option<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(deal_id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
            Ok(found.is_some())
        }

        /// The user with id `id`, inside a transaction.
        async fn user_by_id(conn: &mut Conn, id: i64) -> Result<User, StoreError> {
            let row = sqlx::query(concat!(user_select!(), " WHERE u.id = $1"))
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?;
            user_at(&row)
        }

        /// The link with id `id`.
        async fn link_by_id(conn: &mut Conn, id: i64) -> Result<ConfirmLink, StoreError> {
            let row = sqlx::query(concat!(link_select!(), " WHERE l.id = $1"))
                .bind(id)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?;
            link_at(&row)
        }

        impl crate::TeamStore for $store {
            async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
                let email = user.email.trim().to_lowercase();
                if email.is_empty() {
                    return Err(StoreError::Conflict("a user needs an email".into()));
                }
                let mut tx = self.begin_write().await?;
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                        .bind(&email)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                if exists.is_some() {
                    return Err(StoreError::Conflict(format!("user {email} already exists")));
                }
                let manager_rep = match &user.manager_email {
                    None => None,
                    Some(m) => {
                        let m = m.trim().to_lowercase();
                        let rep: Option<Option<i64>> =
                            sqlx::query_scalar("SELECT rep_id FROM users WHERE email = $1")
                                .bind(&m)
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(db_err)?;
                        match rep {
                            Some(Some(rep)) => Some(rep),
                            Some(None) => {
                                return Err(StoreError::Conflict(format!(
                                    "manager {m} is not a rep or manager (no rep record)"
                                )));
                            }
                            None => {
                                return Err(StoreError::Conflict(format!(
                                    "no user {m} to be the manager; add them first"
                                )));
                            }
                        }
                    }
                };
                let needs_rep = user.role != Role::Admin || user.rep_name.is_some();
                let rep_id = if needs_rep {
                    let by_name: Option<i64> = match &user.rep_name {
                        Some(name) => sqlx::query_scalar("SELECT id FROM reps WHERE name = $1")
                            .bind(name.trim())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_err)?,
                        None => sqlx::query_scalar(
                            "SELECT id FROM reps WHERE lower(email) = $1 ORDER BY id LIMIT 1",
                        )
                        .bind(&email)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?,
                    };
                    match by_name {
                        Some(id) => Some(id),
                        None => {
                            let name = user.rep_name.as_deref().map(str::trim).unwrap_or(&email);
                            let id: i64 = sqlx::query_scalar(
                                "INSERT INTO reps (name, email) VALUES ($1, $2) RETURNING id",
                            )
                            .bind(name)
                            .bind(&email)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db_err)?;
                            Some(id)
                        }
                    }
                } else {
                    None
                };
                if let (Some(rep), Some(manager)) = (rep_id, manager_rep) {
                    if rep == manager {
                        return Err(StoreError::Conflict(format!(
                            "{email} cannot be their own manager"
                        )));
                    }
                    sqlx::query("UPDATE reps SET manager_id = $1 WHERE id = $2")
                        .bind(manager)
                        .bind(rep)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (email, password_hash, role, rep_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(&email)
                .bind(&user.password_hash)
                .bind(role_str(user.role))
                .bind(rep_id)
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                let created = user_by_id(&mut tx, id).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(created)
            }

            async fn list_users(&self) -> Result<Vec<User>, StoreError> {
                let rows = sqlx::query(concat!(user_select!(), " ORDER BY u.email"))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                rows.iter().map(user_at).collect()
            }

            async fn login_lookup(
                &self,
                email: &str,
            ) -> Result<Option<(User, String)>, StoreError> {
                let row = sqlx::query(
                    "SELECT u.id, u.email, u.role, u.rep_id, r.name, u.created_at, \
                     u.password_hash FROM users u LEFT JOIN reps r ON r.id = u.rep_id \
                     WHERE u.email = $1",
                )
                .bind(email.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                match row {
                    Some(row) => Ok(Some((user_at(&row)?, col(&row, 6, "users.password_hash")?))),
                    None => Ok(None),
                }
            }

            async fn set_password(
                &self,
                email: &str,
                password_hash: &str,
            ) -> Result<(), StoreError> {
                let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE email = $2")
                    .bind(password_hash)
                    .bind(email.trim().to_lowercase())
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound {
                        what: "user",
                        key: email.to_string(),
                    });
                }
                Ok(())
            }

            async fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
                // Expired sessions go as new ones come, so the table holds live ones only.
                // (SQLite compares the RFC 3339 UTC texts, which sort as time does.)
                sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                    .bind(Utc::now())
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&session.id_hash)
                .bind(session.user_id)
                .bind(&session.csrf)
                .bind(Utc::now())
                .bind(session.expires_at)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            async fn session(
                &self,
                id_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<(User, String)>, StoreError> {
                let row = sqlx::query(
                    "SELECT u.id, u.email, u.role, u.rep_id, r.name, u.created_at, s.csrf, \
                     s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
                     LEFT JOIN reps r ON r.id = u.rep_id WHERE s.id_hash = $1",
                )
                .bind(id_hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                let Some(row) = row else { return Ok(None) };
                let expires: DateTime<Utc> = col(&row, 7, "sessions.expires_at")?;
                if expires <= now {
                    return Ok(None);
                }
                Ok(Some((user_at(&row)?, col(&row, 6, "sessions.csrf")?)))
            }

            async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            async fn count_login_attempt(
                &self,
                email: &str,
                now: DateTime<Utc>,
                max: u32,
                window: chrono::Duration,
            ) -> Result<LoginGate, StoreError> {
                let email = email.trim().to_lowercase();
                let ended = now - window;
                sqlx::query("DELETE FROM login_attempts WHERE window_start <= $1")
                    .bind(ended)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                // One statement takes the attempt's number or refuses it: parallel attempts
                // are serialised by the row (PostgreSQL) or the write lock (SQLite), so no
                // more than `max` of a window ever see `Open`.
                let counted: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO login_attempts (email, attempts, window_start) \
                     VALUES ($1, 1, $2) \
                     ON CONFLICT (email) DO UPDATE SET \
                       attempts = CASE WHEN login_attempts.window_start <= $3 THEN 1 \
                                  ELSE login_attempts.attempts + 1 END, \
                       window_start = CASE WHEN login_attempts.window_start <= $3 THEN $2 \
                                      ELSE login_attempts.window_start END \
                     WHERE login_attempts.window_start <= $3 OR login_attempts.attempts < $4 \
                     RETURNING attempts",
                )
                .bind(&email)
                .bind(now)
                .bind(ended)
                .bind(i64::from(max))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                if let Some(attempt) = counted {
                    return Ok(LoginGate::Open {
                        attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
                    });
                }
                let started: Option<DateTime<Utc>> = sqlx::query_scalar(
                    "SELECT window_start FROM login_attempts WHERE email = $1",
                )
                .bind(&email)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(LoginGate::Locked {
                    until: started.unwrap_or(now) + window,
                })
            }

            async fn clear_login_attempts(&self, email: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM login_attempts WHERE email = $1")
                    .bind(email.trim().to_lowercase())
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            async fn server_key(
                &self,
                name: &str,
                candidate: &[u8],
            ) -> Result<Vec<u8>, StoreError> {
                sqlx::query(
                    "INSERT INTO server_keys (name, key, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(name)
                .bind(candidate)
                .bind(Utc::now())
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                sqlx::query_scalar("SELECT key FROM server_keys WHERE name = $1")
                    .bind(name)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)
            }

            async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken, StoreError> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(token.user_id)
                .bind(&token.name)
                .bind(&token.token_hash)
                .bind(Utc::now())
                .bind(token.expires_at)
                .fetch_one(&self.pool)
                .await
                .map_err(db_err)?;
                let row = sqlx::query(concat!(token_select!(), " WHERE t.id = $1"))
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)?;
                token_at(&row)
            }

            async fn list_api_tokens(
                &self,
                user_id: Option<i64>,
            ) -> Result<Vec<ApiToken>, StoreError> {
                let rows = sqlx::query(concat!(
                    token_select!(),
                    " WHERE $1 IS NULL OR t.user_id = $1 ORDER BY t.id"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter().map(token_at).collect()
            }

            async fn revoke_api_token(
                &self,
                id: i64,
                user_id: Option<i64>,
            ) -> Result<(), StoreError> {
                let done = sqlx::query(
                    "DELETE FROM api_tokens WHERE id = $1 AND ($2 IS NULL OR user_id = $2)",
                )
                .bind(id)
                .bind(user_id)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound {
                        what: "API token",
                        key: id.to_string(),
                    });
                }
                Ok(())
            }

            async fn token_user(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<User>, StoreError> {
                let row = sqlx::query(concat!(
                    user_select!(),
                    " JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 \
                     AND (t.expires_at IS NULL OR t.expires_at > $2)"
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                row.as_ref().map(user_at).transpose()
            }

            async fn create_confirm_link(
                &self,
                scope: &Scope,
                link: &NewConfirmLink,
            ) -> Result<ConfirmLink, StoreError> {
                let mut tx = self.begin_write().await?;
                if !deal_visible(&mut tx, scope, link.deal_id).await? {
                    return Err(StoreError::DealNotFound(link.deal_id.to_string()));
                }
                let step: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM next_steps WHERE id = $1 AND deal_id = $2")
                        .bind(link.step_id)
                        .bind(link.deal_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                if step.is_none() {
                    return Err(StoreError::NotFound {
                        what: "next step on this deal",
                        key: link.step_id.to_string(),
                    });
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO confirm_links (token_hash, deal_id, step_id, created_by, \
                     created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&link.token_hash)
                .bind(link.deal_id)
                .bind(link.step_id)
                .bind(link.created_by)
                .bind(Utc::now())
                .bind(link.expires_at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                let created = link_by_id(&mut tx, id).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(created)
            }

            async fn confirm_link(
                &self,
                token_hash: &str,
            ) -> Result<Option<ConfirmLink>, StoreError> {
                let row = sqlx::query(concat!(link_select!(), " WHERE l.token_hash = $1"))
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                row.as_ref().map(link_at).transpose()
            }

            async fn answer_confirm_link(
                &self,
                token_hash: &str,
                answer: LinkAnswer,
                correction: Option<&str>,
                now: DateTime<Utc>,
            ) -> Result<ConfirmLink, StoreError> {
                let mut tx = self.begin_write().await?;
                let row = sqlx::query(concat!(link_select!(), " WHERE l.token_hash = $1"))
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                let Some(row) = row else {
                    return Err(StoreError::NotFound {
                        what: "confirmation link",
                        key: "(token)".into(),
                    });
                };
                let link = link_at(&row)?;
                if link.expires_at <= now {
                    return Err(StoreError::LinkExpired(link.expires_at));
                }
                if link.step.status != crate::StepStatus::Open {
                    return Err(StoreError::LinkSuperseded);
                }
                let (answer_text, confirmed) = match answer {
                    LinkAnswer::Yes => ("yes", true),
                    LinkAnswer::NotQuite => ("not_quite", false),
                };
                // Only while the step is still open: the condition and the write are one
                // statement, so a step superseded meanwhile takes no answer.
                let updated = sqlx::query(
                    "UPDATE next_steps SET confirmed_by_prospect = $1, updated_at = $2 \
                     WHERE id = $3 AND status = 'open'",
                )
                .bind(confirmed)
                .bind(now)
                .bind(link.step.id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                if updated.rows_affected() == 0 {
                    return Err(StoreError::LinkSuperseded);
                }
                let correction = correction.map(str::trim).filter(|c| !c.is_empty());
                sqlx::query(
                    "UPDATE confirm_links SET answer = $1, correction = $2, answered_at = $3 \
                     WHERE id = $4",
                )
                .bind(answer_text)
                .bind(correction)
                .bind(now)
                .bind(link.id)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                let answered = link_by_id(&mut tx, link.id).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(answered)
            }

            async fn confirm_links_for_deal(
                &self,
                deal_id: i64,
            ) -> Result<Vec<ConfirmLink>, StoreError> {
                let rows = sqlx::query(concat!(
                    link_select!(),
                    " WHERE l.deal_id = $1 ORDER BY l.id DESC"
                ))
                .bind(deal_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter().map(link_at).collect()
            }

            async fn create_upload(
                &self,
                scope: &Scope,
                upload: &NewUpload,
            ) -> Result<StoredUpload, StoreError> {
                let mut tx = self.begin_write().await?;
                if !deal_visible(&mut tx, scope, upload.deal_id).await? {
                    return Err(StoreError::DealNotFound(upload.deal_id.to_string()));
                }
                let now = Utc::now();
                // A key used before answers the first upload — if this is the same request.
                // (PostgreSQL: a second writer of the same key waits on the unique index
                // and then finds nothing inserted; SQLite: writers queue on the lock.)
                let row = sqlx::query(concat!(
                    "INSERT INTO uploads (deal_id, user_id, file_name, content, call_date, \
                     job_id, idempotency_key, status, attempts, created_at, updated_at, \
                     sellers) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $9) \
                     ON CONFLICT DO NOTHING RETURNING ",
                    upload_columns!("substr(content, 1, 0)")
                ))
                .bind(upload.deal_id)
                .bind(upload.user_id)
                .bind(&upload.file_name)
                .bind(&upload.content)
                .bind(upload.call_date)
                .bind(&upload.job_id)
                .bind(&upload.idempotency_key)
                .bind(now)
                .bind(Json(&upload.sellers))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                if let Some(row) = row {
                    let created = upload_at(&row)?;
                    tx.commit().await.map_err(db_err)?;
                    return Ok(StoredUpload {
                        upload: created,
                        replayed: false,
                    });
                }
                let Some(key) = &upload.idempotency_key else {
                    return Err(StoreError::Conflict(format!(
                        "upload job {} exists already",
                        upload.job_id
                    )));
                };
                let first = sqlx::query(concat!(
                    "SELECT ",
                    upload_columns!("content"),
                    " FROM uploads WHERE user_id IS NOT DISTINCT FROM $1 AND idempotency_key = $2"
                ))
                .bind(upload.user_id)
                .bind(key)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                let mut first = upload_at(&first)?;
                let same = first.deal_id == upload.deal_id
                    && first.file_name == upload.file_name
                    && first.call_date == upload.call_date
                    && first.sellers == upload.sellers
                    && first.content == upload.content;
                if !same {
                    return Err(StoreError::IdempotencyKeyReused(key.clone()));
                }
                first.content = Vec::new();
                Ok(StoredUpload {
                    upload: first,
                    replayed: true,
                })
            }

            async fn mark_upload_enqueued(&self, id: i64) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE uploads SET enqueued_at = $2 WHERE id = $1 AND enqueued_at IS NULL",
                )
                .bind(id)
                .bind(Utc::now())
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            async fn pending_uploads(
                &self,
                before: DateTime<Utc>,
                limit: i64,
            ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, job_id FROM uploads WHERE enqueued_at IS NULL \
                     AND status = 'queued' AND created_at < $1 ORDER BY created_at, id LIMIT $2",
                )
                .bind(before)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                rows.iter()
                    .map(|row| Ok((col(row, 0, "uploads.id")?, col(row, 1, "uploads.job_id")?)))
                    .collect()
            }

            async fn assign_upload_job(&self, id: i64, job_id: &str) -> Result<String, StoreError> {
                sqlx::query("UPDATE uploads SET job_id = $2 WHERE id = $1 AND job_id IS NULL")
                    .bind(id)
                    .bind(job_id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                let stored: Option<Option<String>> =
                    sqlx::query_scalar("SELECT job_id FROM uploads WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                match stored {
                    Some(Some(job)) => Ok(job),
                    _ => Err(StoreError::NotFound {
                        what: "upload",
                        key: id.to_string(),
                    }),
                }
            }

            async fn find_upload(&self, scope: &Scope, id: i64) -> Result<Upload, StoreError> {
                let sql = format!(
                    concat!(
                        "SELECT ",
                        upload_columns!("content"),
                        " FROM uploads WHERE id = $1{}"
                    ),
                    visible_deal_ids(scope, "deal_id")
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                match row {
                    Some(row) => upload_at(&row),
                    None => Err(StoreError::NotFound {
                        what: "upload",
                        key: id.to_string(),
                    }),
                }
            }

            async fn list_uploads(
                &self,
                scope: &Scope,
                limit: i64,
            ) -> Result<Vec<Upload>, StoreError> {
                let sql = format!(
                    concat!(
                        "SELECT ",
                        upload_columns!("substr(content, 1, 0)"),
                        " FROM uploads WHERE TRUE{} ORDER BY id DESC LIMIT $1"
                    ),
                    visible_deal_ids(scope, "deal_id")
                );
                let rows = sqlx::query(AssertSqlSafe(sql))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                rows.iter().map(upload_at).collect()
            }

            async fn start_upload(&self, id: i64) -> Result<Upload, StoreError> {
                let row = sqlx::query(concat!(
                    "UPDATE uploads SET status = 'running', attempts = attempts + 1, \
                     updated_at = $2 WHERE id = $1 AND status <> 'done' RETURNING ",
                    upload_columns!("content")
                ))
                .bind(id)
                .bind(Utc::now())
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                match row {
                    Some(row) => upload_at(&row),
                    None => self.find_upload(&Scope::All, id).await,
                }
            }

            async fn finish_upload(
                &self,
                id: i64,
                call: &NewCall,
                step: Option<&NewNextStep>,
            ) -> Result<Call, StoreError> {
                let mut tx = self.begin_write().await?;
                // Claiming the row first locks it (PostgreSQL) and answers "already done?"
                // in the same statement, so two finishers cannot both insert a call.
                let claimed: Option<i64> = sqlx::query_scalar(
                    "UPDATE uploads SET status = 'done', error = NULL, updated_at = $2, \
                     enqueued_at = COALESCE(enqueued_at, $2) \
                     WHERE id = $1 AND status <> 'done' RETURNING deal_id",
                )
                .bind(id)
                .bind(Utc::now())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                let Some(deal_id) = claimed else {
                    tx.rollback().await.map_err(db_err)?;
                    let done = self.find_upload(&Scope::All, id).await?;
                    return match done.call_id {
                        Some(call) => crate::Store::find_call(self, &Scope::All, call).await,
                        None => Err(StoreError::Conflict(format!(
                            "upload {id} is done but its call was deleted"
                        ))),
                    };
                };
                let (stored, _) = insert_call(&mut tx, deal_id, call, step).await?;
                sqlx::query("UPDATE uploads SET call_id = $1 WHERE id = $2")
                    .bind(stored.id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(stored)
            }

            async fn fail_upload(
                &self,
                id: i64,
                error: &str,
                last_attempt: bool,
            ) -> Result<(), StoreError> {
                let status = if last_attempt {
                    UploadStatus::Failed
                } else {
                    UploadStatus::Queued
                };
                sqlx::query(
                    "UPDATE uploads SET status = $1, error = $2, updated_at = $3 \
                     WHERE id = $4 AND status <> 'done'",
                )
                .bind(status.as_str())
                .bind(error)
                .bind(Utc::now())
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(())
            }
        }
    };
}
