//! Simple commands: expansion, redirection, and finding what to run.

use std::rc::Rc;

use super::builtins::{Builtin, builtin};
use super::{Flow, Shell, Var};
use crate::streams::Fds;
use crate::syntax::{Command, SimpleCommand};

impl<'h> Shell<'h> {
    pub(crate) async fn run_simple(&mut self, sc: &SimpleCommand, fds: &Fds) -> super::Exec {
        self.lineno = sc.line;
        self.charge(fds)?;
        self.subst_status = None;
        let mut argv = Vec::new();
        for w in &sc.words {
            argv.extend(self.expand_fields(w, fds).await?);
        }
        let mut assigns = Vec::new();
        for a in &sc.assignments {
            let v = self.expand_string(&a.value, fds).await?;
            assigns.push((a.name.clone(), v));
        }
        self.lineno = sc.line;
        if argv.is_empty() {
            if self.opts.xtrace && !assigns.is_empty() {
                self.trace(fds, &assigns, &[]);
            }
            for (name, value) in assigns {
                if let Err(msg) = self.set_var(&name, value) {
                    self.report(fds, &msg);
                    return Err(Flow::Exit(2));
                }
            }
            if self.apply_redirects(&sc.redirects, fds).await?.is_none() {
                return Ok(2);
            }
            return Ok(self.subst_status.unwrap_or(0));
        }
        if self.opts.xtrace {
            self.trace(fds, &assigns, &argv);
        }
        let found = builtin(&argv[0]);
        let Some(fds) = self.apply_redirects(&sc.redirects, fds).await? else {
            if matches!(found, Some(Builtin::Special(_))) {
                return Err(Flow::Exit(2));
            }
            return Ok(2);
        };
        self.dispatch(argv, assigns, found, &fds).await
    }

    fn trace(&self, fds: &Fds, assigns: &[(String, String)], argv: &[String]) {
        let ps4 = self.get_var("PS4").unwrap_or("+ ").to_string();
        // dash shows the words as they are, unquoted.
        let mut words: Vec<String> = assigns.iter().map(|(k, v)| format!("{k}={v}")).collect();
        words.extend(argv.iter().cloned());
        let _ = fds.write(2, format!("{ps4}{}\n", words.join(" ")).as_bytes());
    }

    async fn dispatch(
        &mut self,
        argv: Vec<String>,
        assigns: Vec<(String, String)>,
        found: Option<Builtin>,
        fds: &Fds,
    ) -> super::Exec {
        if let Some(Builtin::Special(b)) = found {
            // Assignments before a special builtin stay, as POSIX says.
            for (name, value) in assigns {
                if let Err(msg) = self.set_var(&name, value) {
                    self.report(fds, &msg);
                    return Err(Flow::Exit(2));
                }
            }
            return self.run_special(b, &argv, fds).await;
        }
        if let Some(body) = self.functions.get(&argv[0]).cloned() {
            return self.call_function(body, argv, assigns, fds).await;
        }
        if let Some(Builtin::Regular(b)) = found {
            let saved = self.push_temporary(&assigns);
            let r = self.run_regular(b, &argv, fds).await;
            self.pop_temporary(saved);
            return r;
        }
        let env = self.environment(&assigns);
        let user = self.user.clone();
        match self.run_external(&argv, env, &user, fds).await {
            Some(status) => Ok(status),
            None => {
                self.report(fds, &format!("{}: not found", argv[0]));
                Ok(127)
            }
        }
    }

    /// Sets variables for the duration of one command; returns what to
    /// restore.
    fn push_temporary(&mut self, assigns: &[(String, String)]) -> Vec<(String, Option<Var>)> {
        let mut saved = Vec::new();
        for (name, value) in assigns {
            let old = self.vars.get(name).cloned();
            if old.as_ref().is_some_and(|v| v.readonly) {
                continue;
            }
            saved.push((name.clone(), old));
            self.vars.insert(
                name.clone(),
                Var {
                    value: value.clone(),
                    exported: true,
                    readonly: false,
                },
            );
        }
        saved
    }

    fn pop_temporary(&mut self, saved: Vec<(String, Option<Var>)>) {
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(v) => {
                    self.vars.insert(name, v);
                }
                None => {
                    self.vars.remove(&name);
                }
            }
        }
    }

    async fn call_function(
        &mut self,
        body: Rc<Command>,
        argv: Vec<String>,
        assigns: Vec<(String, String)>,
        fds: &Fds,
    ) -> super::Exec {
        let saved_vars = self.push_temporary(&assigns);
        let saved_args = std::mem::replace(&mut self.positional, argv[1..].to_vec());
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        self.func_depth += 1;
        self.locals.push(Vec::new());
        let r = self.run_command(&body, fds).await;
        if let Some(locals) = self.locals.pop() {
            self.pop_temporary(locals);
        }
        self.func_depth -= 1;
        self.loop_depth = saved_loop;
        self.positional = saved_args;
        self.pop_temporary(saved_vars);
        match r {
            Err(Flow::Return(s)) => Ok(s),
            Err(Flow::Break(_)) | Err(Flow::Continue(_)) => Ok(self.status),
            other => other,
        }
    }
}
