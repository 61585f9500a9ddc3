//! Accounts, with the same rules for the administrator's page, the API and the CLI: a new
//! user's name in its one form (NFKC, lower case, a safe alphabet), a known role (never a
//! guess), a password following the rules (`passwords::check_rules`), units that exist in the registry, and a reporter bound to
//! at least one of them.

use crate::passwords::{check_rules, hash_password, off_the_workers, one_time_password, random_token, sha256_hex};
use crate::{Actor, App, Error, Message, Result};
use chiso_store::{Role, username_key};

/// The shortest password a person may choose.
pub const MIN_PASSWORD: usize = 12;

/// A user to add, as typed: the role and the units are checked by [`App::add_user`].
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    /// `admin`, `reporter`, `assessor` or `viewer`, exactly.
    pub role: String,
    /// Unit codes; blanks are dropped.
    pub units: Vec<String>,
}

/// What an administrator does to another account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Disable,
    Enable,
    /// Lifts the login delays of failed attempts.
    Unlock,
}

impl App {
    /// Checks and adds a user; returns the name as stored.
    pub async fn add_user(&self, actor: &Actor, new: NewUser) -> Result<String> {
        actor.require(&[Role::Admin])?;
        let role = Role::parse(new.role.trim()).ok_or_else(|| Error::invalid(Message::BadRole).code("bad_role"))?;
        let name =
            username_key(&new.username).ok_or_else(|| Error::invalid(Message::BadUsername).code("bad_username"))?;
        check_rules(&name, &new.password)?;
        let units: Vec<String> = new.units.iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
        if role == Role::Reporter && units.is_empty() {
            return Err(Error::invalid(Message::ReporterNeedsUnit).code("unit_required"));
        }
        let units = if units.is_empty() { units } else { typed_units(&*self.catalog().await?, &units)? };
        let password = new.password;
        let hash = off_the_workers(move || hash_password(&password)).await;
        // The password typed by the administrator is a one-time password: changed at first login.
        self.store.create_user(&name, &hash, role, &units, &actor.username, true).await?;
        Ok(name)
    }

    /// Disables, enables or unlocks another user's account.
    pub async fn set_user_state(&self, actor: &Actor, username: &str, action: UserAction) -> Result<()> {
        actor.require(&[Role::Admin])?;
        let target = self.store.user_by_name(username).await?.ok_or_else(Error::not_found)?;
        let disabled = match action {
            UserAction::Unlock => {
                self.unlock(actor, username).await?;
                return Ok(());
            }
            UserAction::Disable => true,
            UserAction::Enable => false,
        };
        // No one disables themselves: the last way in would go with it.
        if target.username == actor.username {
            return Err(Error::invalid(Message::CannotDisableSelf));
        }
        Ok(self.store.set_disabled(&target.username, disabled, &actor.username).await?)
    }

    /// A user changes their own password: the current one first, a new one following the
    /// rules and different. A one-time password given by the system is then changed. Their sessions end (this one too) and their API tokens are revoked.
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str, repeated: &str) -> Result<()> {
        let me = self.store.user_by_name(&actor.username).await?.ok_or_else(Error::not_found)?;
        let name = me.username.clone();
        if crate::passwords::check_password(Some(me), current).await.is_none() {
            return Err(Error::invalid(Message::WrongPassword).code("wrong_password"));
        }
        if new != repeated {
            return Err(Error::invalid(Message::PasswordsDiffer).code("passwords_differ"));
        }
        check_rules(&name, new)?;
        if new == current {
            return Err(Error::invalid(Message::SamePassword).code("same_password"));
        }
        let hash = {
            let new = new.to_string();
            off_the_workers(move || hash_password(&new)).await
        };
        Ok(self.store.set_password(&actor.username, &hash, &actor.username, false).await?)
    }

    /// Replaces the units a user reports for (typed as [`typed_units`] reads them; a
    /// reporter keeps at least one), on the record.
    pub async fn set_user_units(&self, actor: &Actor, username: &str, units: Vec<String>) -> Result<()> {
        actor.require(&[Role::Admin])?;
        let target = self.store.user_by_name(username).await?.ok_or_else(Error::not_found)?;
        let units: Vec<String> = units.iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
        if target.role == Role::Reporter && units.is_empty() {
            return Err(Error::invalid(Message::ReporterNeedsUnit).code("unit_required"));
        }
        let mut units = if units.is_empty() { units } else { typed_units(&*self.catalog().await?, &units)? };
        units.sort();
        units.dedup();
        Ok(self.store.set_user_units(&target.username, &units, &actor.username).await?)
    }

    /// Lifts the login delays of a user's name; returns how many counters were cleared.
    pub async fn unlock(&self, actor: &Actor, username: &str) -> Result<u64> {
        actor.require(&[Role::Admin])?;
        let target = self.store.user_by_name(username).await?.ok_or_else(Error::not_found)?;
        let key = chiso_store::fold_username(&target.username);
        Ok(self.store.unlock_user(&key, &actor.username).await?)
    }

    /// A new generated password for a user (their sessions end, their API tokens are
    /// revoked), to be changed at their next login: returns the name as stored and the
    /// password, shown once.
    pub async fn reset_password(&self, actor: &Actor, username: &str) -> Result<(String, String)> {
        actor.require(&[Role::Admin])?;
        let target = self.store.user_by_name(username).await?.ok_or_else(Error::not_found)?;
        let password = one_time_password(&target.username);
        let hash = {
            let password = password.clone();
            off_the_workers(move || hash_password(&password)).await
        };
        self.store.set_password(&target.username, &hash, &actor.username, true).await?;
        Ok((target.username, password))
    }

    /// Issues an API token for a user, valid `days` days: returns the token (shown once; only
    /// its hash is kept) and its id.
    pub async fn issue_token(&self, actor: &Actor, username: &str, label: &str, days: i64) -> Result<(String, String)> {
        actor.require(&[Role::Admin])?;
        let target = self.store.user_by_name(username).await?.ok_or_else(Error::not_found)?;
        let token = random_token();
        let id =
            self.store.issue_token(&sha256_hex(&token), target.id, label, days * 24 * 3600, &actor.username).await?;
        Ok((token, id))
    }

    pub async fn revoke_token(&self, actor: &Actor, id: &str) -> Result<()> {
        actor.require(&[Role::Admin])?;
        Ok(self.store.revoke_token(id, &actor.username).await?)
    }
}

/// A user's units as an administrator typed them: each by its code, or by a name as
/// [`Catalog::typed_unit`] finds it; an entry found neither way that holds commas is read as
/// codes or names separated by them (the form's older way: `so-y-te, so-tu-phap`), while
/// a name with a comma ("Sở Lao động, Thương binh và Xã hội") is found whole. The codes, or
/// the first entry not found or not decided.
fn typed_units(cat: &crate::Catalog, entries: &[String]) -> Result<Vec<String>> {
    use crate::Typed;
    let mut ids = Vec::new();
    for entry in entries {
        let parts: Vec<&str> = match cat.typed_unit(entry) {
            Typed::Unknown if entry.contains(',') => {
                entry.split(',').map(str::trim).filter(|x| !x.is_empty()).collect()
            }
            _ => vec![entry.as_str()],
        };
        for part in parts {
            match cat.typed_unit(part) {
                Typed::Unit(u) => ids.push(u.id.0.clone()),
                Typed::Unknown => {
                    return Err(Error::invalid(Message::NoSuchUnit(part.to_string())).code("unit_not_found"));
                }
                Typed::Ambiguous(all) => {
                    let all: Vec<String> = all.iter().map(|u| format!("{} ({})", u.name, u.id.0)).collect();
                    let message = Message::AmbiguousUnit(part.to_string(), all.join(", "));
                    return Err(Error::invalid(message).code("unit_not_found"));
                }
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_domain::Lang;

    #[tokio::test]
    async fn the_rules_of_a_new_account() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        let units = "[[unit]]\nid = \"so-y-te\"\nname = \"Sở Y tế\"\nkind = \"department\"\n";
        store.put_document("units.toml", units, "test", "kiểm thử").await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let user = |name: &str, role: &str, units: &[&str]| NewUser {
            username: name.into(),
            password: "mat-khau-du-dai".into(),
            role: role.into(),
            units: units.iter().map(|u| u.to_string()).collect(),
        };
        let refused = [
            (user("bao.cao", "reporter", &[]), "unit_required"),
            (user("bao.cao", "reporter", &["khong-co"]), "unit_not_found"),
            (user("bao.cao", "superuser", &[]), "bad_role"),
            (user("bao.cao", "Admin ", &[]), "bad_role"),
            (user("ADMİN", "viewer", &[]), "bad_username"),
            (user("\u{430}dmin", "viewer", &[]), "bad_username"),
            (user("", "viewer", &[]), "bad_username"),
            (user("-x", "viewer", &[]), "bad_username"),
            (NewUser { password: "ngan".into(), ..user("ngan", "viewer", &[]) }, "short_password"),
            (NewUser { password: "mat-khau-11".into(), ..user("ngan", "viewer", &[]) }, "short_password"),
            (
                NewUser { password: "Bao.Cao-mat-khau".into(), ..user("bao.cao", "viewer", &[]) },
                "password_contains_username",
            ),
            (NewUser { password: "Qwerty123456".into(), ..user("bao.cao", "viewer", &[]) }, "common_password"),
        ];
        for (new, code) in refused {
            let e = app.add_user(&Actor::cli(), new.clone()).await.expect_err(&format!("{new:?} accepted"));
            assert_eq!(e.code, code, "{new:?}");
        }
        assert_eq!(app.add_user(&Actor::cli(), user("admin", "viewer", &[])).await.unwrap(), "admin");
        // The same name in other characters is the same name.
        let e = app.add_user(&Actor::cli(), user("ａｄｍｉｎ", "viewer", &[])).await.unwrap_err();
        assert_eq!(e.kind, crate::Kind::Conflict);
        let short = NewUser { password: "ngan".into(), ..user("x", "viewer", &[]) };
        let e = app.add_user(&Actor::cli(), short).await.unwrap_err();
        assert!(e.render(Lang::Vi).contains("12 ký tự"), "{}", e.render(Lang::Vi));
        let name = app.add_user(&Actor::cli(), user(" Bao.Cao ", "reporter", &["so-y-te"])).await.unwrap();
        assert_eq!(name, "bao.cao");
        let reporter = Actor::of(&store.user_by_name("bao.cao").await.unwrap().unwrap());
        let e = app.add_user(&reporter, user("khac", "viewer", &[])).await.unwrap_err();
        assert_eq!(e.kind, crate::Kind::Forbidden, "only an administrator adds users");
        // A new user's password, and a reset one, are one-time passwords following the rules.
        assert!(store.user_by_name("bao.cao").await.unwrap().unwrap().must_change_password);
        let (_, password) = app.reset_password(&Actor::cli(), "bao.cao").await.unwrap();
        assert_eq!(crate::passwords::check_rules("bao.cao", &password), Ok(()));
        assert!(store.user_by_name("bao.cao").await.unwrap().unwrap().must_change_password);
        // A reporter's units: changed by an administrator only, never to none or to a unit
        // that does not exist.
        let units = |u: &[&str]| u.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let e = app.set_user_units(&reporter, "bao.cao", units(&["so-y-te"])).await.unwrap_err();
        assert_eq!(e.kind, crate::Kind::Forbidden);
        let e = app.set_user_units(&Actor::cli(), "bao.cao", units(&[" "])).await.unwrap_err();
        assert_eq!(e.code, "unit_required");
        let e = app.set_user_units(&Actor::cli(), "bao.cao", units(&["khong-co"])).await.unwrap_err();
        assert_eq!(e.code, "unit_not_found");
        let e = app.set_user_units(&Actor::cli(), "khong-ai", units(&["so-y-te"])).await.unwrap_err();
        assert_eq!(e.kind, crate::Kind::NotFound);
        app.set_user_units(&Actor::cli(), "bao.cao", units(&["so-y-te", "so-y-te"])).await.unwrap();
        assert_eq!(store.user_by_name("bao.cao").await.unwrap().unwrap().units, units(&["so-y-te"]));
        store.close().await;
    }

    #[tokio::test]
    async fn a_reporters_units_are_typed_by_code_or_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            chiso_store::Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        let unit = |id: &str, name: &str| format!("[[unit]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"commune\"\n\n");
        let units = [
            unit("so-y-te", "Sở Y tế"),
            unit("so-ld", "Sở Lao động, Thương binh và Xã hội"),
            unit("xa-a", "Xã An Lạc"),
            unit("xa-b", "Xã Ân Lạc"),
        ]
        .concat();
        store.put_document("units.toml", &units, "test", "kiểm thử").await.unwrap();
        let app = App::new(store.clone(), dir.path().into());
        let new = |units: &[&str]| NewUser {
            username: "bao.cao".into(),
            password: "mat-khau-du-dai".into(),
            role: "reporter".into(),
            units: units.iter().map(|u| u.to_string()).collect(),
        };
        // A name without its diacritics, and one with a comma, found whole.
        app.add_user(&Actor::cli(), new(&["so y te", "Sở Lao động, Thương binh và Xã hội"])).await.unwrap();
        let units_of = || async { store.user_by_name("bao.cao").await.unwrap().unwrap().units };
        assert_eq!(units_of().await, ["so-ld", "so-y-te"]);
        // Codes separated by commas, as the form took them before; a name as written exactly.
        app.set_user_units(&Actor::cli(), "bao.cao", vec!["so-y-te, xa-a".into(), "Xã Ân Lạc".into()]).await.unwrap();
        assert_eq!(units_of().await, ["so-y-te", "xa-a", "xa-b"]);
        // Refused, nothing changed: a name two units go by, and a unit that is not there.
        let e = app.set_user_units(&Actor::cli(), "bao.cao", vec!["xa an lac".into()]).await.unwrap_err();
        assert_eq!(e.code, "unit_not_found");
        let said = e.render(Lang::Vi);
        assert!(said.contains("Xã An Lạc (xa-a)") && said.contains("Xã Ân Lạc (xa-b)"), "{said}");
        let e = app.set_user_units(&Actor::cli(), "bao.cao", vec!["Sở Du lịch".into()]).await.unwrap_err();
        assert!(e.render(Lang::Vi).contains("Sở Du lịch"), "{}", e.render(Lang::Vi));
        assert_eq!(units_of().await, ["so-y-te", "xa-a", "xa-b"]);
        store.close().await;
    }
}
