//! Containers of a task definition: image, ports, environment, secrets, command, health check
//! and resource reservations.
//!
//! ```
//! use cloudwright_compute::{Container, ContainerImage, HealthCheck, Secret};
//!
//! let flask = Container::new("flask", ContainerImage::from_uri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/my_flask_repo:v3"))
//!     .port(80)
//!     .env("FLASK_ENV", "production")
//!     .secret("DB_PASSWORD", Secret::secrets_manager(
//!         "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
//!     ))
//!     .health_check(HealthCheck::shell("curl -f http://localhost/health || exit 1"))
//!     .cpu(512)
//!     .memory_reservation_mib(1024);
//! # let _ = flask;
//! # Ok::<(), cloudwright_compute::Error>(())
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use cloudwright_core::Value;

use crate::error::{Error, whole_seconds};
use crate::image::ContainerImage;

/// A port's transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
}

impl Protocol {
    /// The name ECS uses (`tcp`, `udp`).
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

/// A port the container listens on. With Fargate's `awsvpc` network mode the host port is the
/// container port, so only the container port is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortMapping {
    /// The port.
    pub container_port: u16,
    /// The protocol.
    pub protocol: Protocol,
}

impl PortMapping {
    /// A TCP port.
    pub fn tcp(port: u16) -> Self {
        PortMapping {
            container_port: port,
            protocol: Protocol::Tcp,
        }
    }

    /// A UDP port.
    pub fn udp(port: u16) -> Self {
        PortMapping {
            container_port: port,
            protocol: Protocol::Udp,
        }
    }
}

/// Where a secret's value is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// AWS Secrets Manager (`secretsmanager:GetSecretValue`).
    SecretsManager,
    /// An SSM Parameter Store parameter (`ssm:GetParameters`).
    SsmParameter,
}

/// A secret injected into a container's environment by ECS at start, by ARN: its value never
/// appears in the template. The execution role is granted read access to exactly these ARNs.
///
/// Literal ARNs are checked when the task definition is built (service and resource type,
/// JSON key); intrinsic values (the `Ref` of an
/// `AWS::SecretsManager::Secret`, an imported value, ...) are taken as they are. For SSM the
/// value must be the parameter's ARN, not its name.
#[derive(Clone, Debug, PartialEq)]
pub struct Secret {
    source: SecretSource,
    arn: Value,
    json_key: Option<String>,
}

impl Secret {
    /// A Secrets Manager secret by its full ARN.
    pub fn secrets_manager(arn: impl Into<Value>) -> Secret {
        Secret {
            source: SecretSource::SecretsManager,
            arn: arn.into(),
            json_key: None,
        }
    }

    /// One key of a Secrets Manager secret holding JSON.
    pub fn secrets_manager_json_key(arn: impl Into<Value>, key: impl Into<String>) -> Secret {
        Secret {
            json_key: Some(key.into()),
            ..Secret::secrets_manager(arn)
        }
    }

    /// An SSM Parameter Store parameter by its ARN (`arn:aws:ssm:region:account:parameter/name`).
    pub fn ssm_parameter(arn: impl Into<Value>) -> Secret {
        Secret {
            source: SecretSource::SsmParameter,
            arn: arn.into(),
            json_key: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        match self.source {
            SecretSource::SecretsManager => check_arn(&self.arn, "secretsmanager", "secret:")?,
            SecretSource::SsmParameter => check_arn(&self.arn, "ssm", "parameter/")?,
        }
        if let Some(key) = &self.json_key
            && (key.is_empty() || key.contains(':'))
        {
            return Err(Error::InvalidSecret {
                arn: self.arn.to_string(),
                reason: format!("JSON key `{key}` must be non-empty and contain no `:`"),
            });
        }
        Ok(())
    }

    /// Where it is stored.
    pub fn source(&self) -> SecretSource {
        self.source
    }

    /// The ARN of the secret or parameter (what the execution role may read).
    pub fn arn(&self) -> &Value {
        &self.arn
    }

    /// The `ValueFrom` of the container's secret: the ARN, plus `:key::` for a JSON key.
    pub fn value_from(&self) -> Value {
        match (&self.json_key, &self.arn) {
            (None, arn) => arn.clone(),
            (Some(key), Value::String(arn)) => Value::String(format!("{arn}:{key}::")),
            (Some(key), arn) => Value::join("", [arn.clone(), Value::from(format!(":{key}::"))]),
        }
    }
}

/// `arn:partition:service:region:account:resource...` for literals; intrinsics pass.
fn check_arn(arn: &Value, service: &str, resource_prefix: &str) -> Result<(), Error> {
    let Value::String(text) = arn else {
        return if arn.is_literal() {
            Err(Error::InvalidSecret {
                arn: arn.to_string(),
                reason: "an ARN must be a string".into(),
            })
        } else {
            Ok(())
        };
    };
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == service
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].len() > resource_prefix.len()
        && parts[5].starts_with(resource_prefix);
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSecret {
            arn: text.clone(),
            reason: format!(
                "expected `arn:<partition>:{service}:<region>:<account>:{resource_prefix}...`; give the ARN, never the secret's value"
            ),
        })
    }
}

/// A container health check, run by ECS inside the container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    pub(crate) command: Vec<String>,
    pub(crate) interval: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retries: u32,
    pub(crate) start_period: Option<Duration>,
}

impl HealthCheck {
    /// A command run by the container's shell (`CMD-SHELL`), e.g.
    /// `curl -f http://localhost/health || exit 1`.
    pub fn shell(command: impl Into<String>) -> Self {
        HealthCheck::with_command(vec!["CMD-SHELL".to_owned(), command.into()])
    }

    /// A command run directly (`CMD`), without a shell.
    pub fn exec<S: Into<String>>(argv: impl IntoIterator<Item = S>) -> Self {
        let mut command = vec!["CMD".to_owned()];
        command.extend(argv.into_iter().map(Into::into));
        HealthCheck::with_command(command)
    }

    fn with_command(command: Vec<String>) -> Self {
        HealthCheck {
            command,
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            retries: 3,
            start_period: None,
        }
    }

    /// Time between checks (5 to 300 whole seconds; default 30 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Time before a check fails (2 to 120 whole seconds; default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Failures in a row before the container is unhealthy (1 to 10; default 3).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Grace after start during which failures do not count (0 to 300 whole seconds).
    pub fn start_period(mut self, period: Duration) -> Self {
        self.start_period = Some(period);
        self
    }

    fn validate(&self, container: &str) -> Result<(), Error> {
        let bad = |setting, value: String, allowed| Error::InvalidHealthCheck {
            container: container.to_owned(),
            setting,
            value,
            allowed,
        };
        if self.command.len() < 2 || self.command[1..].iter().any(String::is_empty) {
            return Err(bad(
                "command",
                format!("{:?}", self.command),
                "a non-empty command",
            ));
        }
        let interval = whole_seconds("health check interval", self.interval)?;
        let timeout = whole_seconds("health check timeout", self.timeout)?;
        if !(5..=300).contains(&interval) {
            return Err(bad("interval", interval.to_string(), "5 to 300 seconds"));
        }
        if !(2..=120).contains(&timeout) {
            return Err(bad("timeout", timeout.to_string(), "2 to 120 seconds"));
        }
        if timeout >= interval {
            return Err(bad(
                "timeout",
                timeout.to_string(),
                "less than the interval",
            ));
        }
        if !(1..=10).contains(&self.retries) {
            return Err(bad("retries", self.retries.to_string(), "1 to 10"));
        }
        if let Some(s) = self.start_period
            && whole_seconds("health check start period", s)? > 300
        {
            let s = s.as_secs();
            return Err(bad("start period", s.to_string(), "0 to 300 seconds"));
        }
        Ok(())
    }
}

/// A container of a Fargate task definition.
///
/// Essential by default. Linux capabilities are Docker's defaults (none are dropped), so a
/// non-root process can still bind port 80 (`NET_BIND_SERVICE`); see
/// [`Container::drop_capabilities`].
///
/// Hardened, as the Flask API's container runs: a read-only root file system with a writable
/// scratch directory, every capability dropped (Fargate cannot add one back, so the process
/// listens on an unprivileged port), a non-root user matching the image's:
///
/// ```
/// use cloudwright_compute::{Container, ContainerImage};
///
/// let flask = Container::new("flask", ContainerImage::from_uri("nginx:1.27"))
///     .port(8080)
///     .readonly_root_filesystem(true)
///     .scratch_volume("/tmp")
///     .drop_capabilities(["ALL"])
///     .user("10001:10001");
/// # let _ = flask;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub(crate) name: String,
    pub(crate) image: ContainerImage,
    pub(crate) ports: Vec<PortMapping>,
    pub(crate) environment: BTreeMap<String, Value>,
    pub(crate) secrets: BTreeMap<String, Secret>,
    pub(crate) command: Option<Vec<String>>,
    pub(crate) entry_point: Option<Vec<String>>,
    pub(crate) health_check: Option<HealthCheck>,
    pub(crate) essential: bool,
    pub(crate) cpu: Option<u32>,
    pub(crate) memory_limit_mib: Option<u32>,
    pub(crate) memory_reservation_mib: Option<u32>,
    pub(crate) readonly_root_filesystem: bool,
    pub(crate) drop_capabilities: Vec<String>,
    pub(crate) user: Option<String>,
    pub(crate) working_directory: Option<String>,
    pub(crate) scratch: Vec<String>,
    pub(crate) duplicate: Option<(String, String)>,
}

impl Container {
    /// A container named `name` (unique in its task definition) running `image`.
    pub fn new(name: impl Into<String>, image: impl Into<ContainerImage>) -> Self {
        Container {
            name: name.into(),
            image: image.into(),
            ports: Vec::new(),
            environment: BTreeMap::new(),
            secrets: BTreeMap::new(),
            command: None,
            entry_point: None,
            health_check: None,
            essential: true,
            cpu: None,
            memory_limit_mib: None,
            memory_reservation_mib: None,
            readonly_root_filesystem: false,
            drop_capabilities: Vec::new(),
            user: None,
            working_directory: None,
            scratch: Vec::new(),
            duplicate: None,
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The image.
    pub fn image(&self) -> &ContainerImage {
        &self.image
    }

    /// The port mappings.
    pub fn ports(&self) -> &[PortMapping] {
        &self.ports
    }

    /// Maps a TCP port.
    pub fn port(self, port: u16) -> Self {
        self.port_mapping(PortMapping::tcp(port))
    }

    /// Maps a port.
    pub fn port_mapping(mut self, mapping: PortMapping) -> Self {
        self.ports.push(mapping);
        self
    }

    /// Sets an environment variable (a literal, or any value such as another resource's
    /// attribute). Values are visible in the template and the console: use
    /// [`Container::secret`] for anything secret.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        if self
            .environment
            .insert(name.clone(), value.into())
            .is_some()
        {
            self.duplicate
                .get_or_insert((name, "environment variable".into()));
        }
        self
    }

    /// Injects a secret as the environment variable `name`.
    pub fn secret(mut self, name: impl Into<String>, secret: Secret) -> Self {
        let name = name.into();
        if self.secrets.insert(name.clone(), secret).is_some() {
            self.duplicate.get_or_insert((name, "secret".into()));
        }
        self
    }

    /// The command (replaces the image's `CMD`).
    pub fn command<S: Into<String>>(mut self, argv: impl IntoIterator<Item = S>) -> Self {
        self.command = Some(argv.into_iter().map(Into::into).collect());
        self
    }

    /// The entry point (replaces the image's `ENTRYPOINT`).
    pub fn entry_point<S: Into<String>>(mut self, argv: impl IntoIterator<Item = S>) -> Self {
        self.entry_point = Some(argv.into_iter().map(Into::into).collect());
        self
    }

    /// The health check.
    pub fn health_check(mut self, check: HealthCheck) -> Self {
        self.health_check = Some(check);
        self
    }

    /// Whether the task stops when this container stops (default `true`).
    pub fn essential(mut self, essential: bool) -> Self {
        self.essential = essential;
        self
    }

    /// CPU units reserved for this container; the sum over a task's containers must fit the
    /// task's CPU.
    pub fn cpu(mut self, units: u32) -> Self {
        self.cpu = Some(units);
        self
    }

    /// Hard memory limit in MiB: the container is killed above it. At most the task's memory.
    pub fn memory_limit_mib(mut self, mib: u32) -> Self {
        self.memory_limit_mib = Some(mib);
        self
    }

    /// Soft memory reservation in MiB. At most the task's memory, and at most the hard limit.
    pub fn memory_reservation_mib(mut self, mib: u32) -> Self {
        self.memory_reservation_mib = Some(mib);
        self
    }

    /// Mounts the root file system read-only.
    pub fn readonly_root_filesystem(mut self, readonly: bool) -> Self {
        self.readonly_root_filesystem = readonly;
        self
    }

    /// Drops Linux capabilities (`NET_RAW`, ..., or `ALL`). None are dropped by default:
    /// dropping `ALL` also drops `NET_BIND_SERVICE`: a non-root process can then no longer bind
    /// a port below 1024, and Fargate cannot add a capability back, so listen on a port above
    /// 1023 (the Flask image listens on 8080, behind a load balancer listening on 80).
    pub fn drop_capabilities<S: Into<String>>(mut self, caps: impl IntoIterator<Item = S>) -> Self {
        self.drop_capabilities = caps.into_iter().map(Into::into).collect();
        self
    }

    /// The user (`name`, `uid`, `uid:gid`, ...) the process runs as.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The working directory.
    pub fn working_directory(mut self, dir: impl Into<String>) -> Self {
        self.working_directory = Some(dir.into());
        self
    }

    /// Mounts an empty, writable directory at `path` (absolute), from a volume of the task's
    /// ephemeral storage that lives as long as the task: where a process writes beside a
    /// read-only root file system (gunicorn's worker heartbeat files, `/tmp`).
    pub fn scratch_volume(mut self, path: impl Into<String>) -> Self {
        self.scratch.push(path.into());
        self
    }

    /// The scratch directories, with the names of their task-level volumes
    /// (`<container>-scratch-<n>`).
    pub(crate) fn scratch_volumes(&self) -> Vec<(String, &str)> {
        self.scratch
            .iter()
            .enumerate()
            .map(|(i, path)| (format!("{}-scratch-{}", self.name, i + 1), path.as_str()))
            .collect()
    }

    /// The container's own checks (those that need no knowledge of the task).
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let name = &self.name;
        if name.is_empty()
            || name.len() > 255
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::InvalidContainerName { name: name.clone() });
        }
        let mut seen = Vec::new();
        for p in &self.ports {
            if p.container_port == 0 {
                return Err(Error::InvalidPort {
                    container: name.clone(),
                    reason: "port 0 is not a port; use 1 to 65535".into(),
                });
            }
            if seen.contains(&p.container_port) {
                return Err(Error::InvalidPort {
                    container: name.clone(),
                    reason: format!("port {} is mapped twice", p.container_port),
                });
            }
            seen.push(p.container_port);
        }
        let env_error = |reason: String| Error::InvalidEnvironment {
            container: name.clone(),
            reason,
        };
        if let Some((var, kind)) = &self.duplicate {
            return Err(env_error(format!("{kind} `{var}` is set twice")));
        }
        for secret in self.secrets.values() {
            secret.validate()?;
        }
        for var in self.environment.keys().chain(self.secrets.keys()) {
            if var.is_empty() || var.contains('=') || var.contains('\0') {
                return Err(env_error(format!(
                    "`{var}` is not a valid environment variable name"
                )));
            }
        }
        if let Some(var) = self
            .environment
            .keys()
            .find(|k| self.secrets.contains_key(*k))
        {
            return Err(env_error(format!(
                "`{var}` is both an environment variable and a secret"
            )));
        }
        for (setting, value) in [
            ("cpu", self.cpu),
            ("memory limit", self.memory_limit_mib),
            ("memory reservation", self.memory_reservation_mib),
        ] {
            if value == Some(0) {
                return Err(Error::ZeroResource {
                    container: name.clone(),
                    setting,
                });
            }
        }
        if let (Some(reservation), Some(limit)) =
            (self.memory_reservation_mib, self.memory_limit_mib)
            && reservation > limit
        {
            return Err(Error::ReservationAboveLimit {
                container: name.clone(),
                reservation,
                limit,
            });
        }
        if let Some(check) = &self.health_check {
            check.validate(name)?;
        }
        for (i, path) in self.scratch.iter().enumerate() {
            let reason = if !path.starts_with('/') || path.len() < 2 {
                Some("use an absolute path below `/`")
            } else if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
                Some("a path without spaces or control characters")
            } else if self.scratch[..i]
                .iter()
                .any(|p| p.trim_end_matches('/') == path.trim_end_matches('/'))
            {
                Some("it is mounted twice")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(Error::InvalidScratchVolume {
                    container: name.clone(),
                    path: path.clone(),
                    reason: reason.into(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> ContainerImage {
        ContainerImage::from_uri("nginx:1.27")
    }

    #[test]
    fn a_plain_container_is_valid_and_essential() {
        let c = Container::new("web", image()).port(80);
        c.validate().unwrap();
        assert!(c.essential);
        assert!(c.drop_capabilities.is_empty());
        assert_eq!(c.ports(), &[PortMapping::tcp(80)]);
    }

    #[test]
    fn scratch_volumes_are_absolute_distinct_and_named_per_container() {
        let c = Container::new("web", image())
            .scratch_volume("/tmp")
            .scratch_volume("/var/cache/app");
        c.validate().unwrap();
        assert_eq!(
            c.scratch_volumes(),
            [
                ("web-scratch-1".to_owned(), "/tmp"),
                ("web-scratch-2".to_owned(), "/var/cache/app")
            ]
        );
        for (bad, why) in [
            (vec!["tmp"], "absolute"),
            (vec!["/"], "absolute"),
            (vec!["/my tmp"], "spaces"),
            (vec!["/tmp", "/tmp/"], "twice"),
        ] {
            let mut c = Container::new("web", image());
            for p in bad {
                c = c.scratch_volume(p);
            }
            let e = c.validate().unwrap_err();
            assert!(
                matches!(&e, Error::InvalidScratchVolume { container, .. } if container == "web"),
                "{e}"
            );
            assert!(e.to_string().contains(why), "{e}");
        }
    }

    #[test]
    fn bad_names_ports_and_environments_are_rejected() {
        for bad in ["", "a b", "a.b", &"x".repeat(256)] {
            assert!(matches!(
                Container::new(bad, image()).validate(),
                Err(Error::InvalidContainerName { .. })
            ));
        }
        assert!(matches!(
            Container::new("c", image()).port(0).validate(),
            Err(Error::InvalidPort { .. })
        ));
        assert!(matches!(
            Container::new("c", image()).port(80).port(80).validate(),
            Err(Error::InvalidPort { .. })
        ));
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf";
        let both = Container::new("c", image())
            .env("X", "1")
            .secret("X", Secret::secrets_manager(arn));
        assert!(matches!(
            both.validate(),
            Err(Error::InvalidEnvironment { .. })
        ));
        let twice = Container::new("c", image()).env("X", "1").env("X", "2");
        assert!(matches!(
            twice.validate(),
            Err(Error::InvalidEnvironment { .. })
        ));
        let empty = Container::new("c", image()).env("", "1");
        assert!(matches!(
            empty.validate(),
            Err(Error::InvalidEnvironment { .. })
        ));
    }

    #[test]
    fn reservations_must_be_positive_and_below_the_limit() {
        assert!(matches!(
            Container::new("c", image()).cpu(0).validate(),
            Err(Error::ZeroResource { setting: "cpu", .. })
        ));
        assert!(matches!(
            Container::new("c", image())
                .memory_limit_mib(512)
                .memory_reservation_mib(1024)
                .validate(),
            Err(Error::ReservationAboveLimit {
                reservation: 1024,
                limit: 512,
                ..
            })
        ));
    }

    #[test]
    fn health_check_ranges_are_checked() {
        let ok = HealthCheck::shell("curl -f http://localhost/ || exit 1");
        Container::new("c", image())
            .health_check(ok.clone())
            .validate()
            .unwrap();
        for (check, setting) in [
            (ok.clone().interval(Duration::from_secs(4)), "interval"),
            (ok.clone().interval(Duration::from_secs(301)), "interval"),
            (ok.clone().timeout(Duration::from_secs(1)), "timeout"),
            (
                ok.clone()
                    .timeout(Duration::from_secs(30))
                    .interval(Duration::from_secs(30)),
                "timeout",
            ),
            (ok.clone().retries(0), "retries"),
            (ok.clone().retries(11), "retries"),
            (
                ok.clone().start_period(Duration::from_secs(301)),
                "start period",
            ),
            (HealthCheck::shell(""), "command"),
            (HealthCheck::exec(Vec::<String>::new()), "command"),
        ] {
            let e = Container::new("c", image())
                .health_check(check)
                .validate()
                .unwrap_err();
            assert!(
                matches!(e, Error::InvalidHealthCheck { setting: s, .. } if s == setting),
                "{e}"
            );
        }
        assert_eq!(
            HealthCheck::exec(["/bin/check", "-q"]).command,
            ["CMD", "/bin/check", "-q"]
        );
    }

    #[test]
    fn secrets_are_arns_of_their_service() {
        let sm = Secret::secrets_manager(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        );
        assert_eq!(sm.source(), SecretSource::SecretsManager);
        let ssm = Secret::ssm_parameter("arn:aws:ssm:eu-west-1:123456789012:parameter/app/token");
        assert_eq!(
            ssm.value_from(),
            Value::from("arn:aws:ssm:eu-west-1:123456789012:parameter/app/token")
        );
        for bad in [
            "hunter2",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/x",
            "arn:aws:secretsmanager:eu-west-1:1234:secret:x",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:",
        ] {
            assert!(
                matches!(
                    Secret::secrets_manager(bad).validate(),
                    Err(Error::InvalidSecret { .. })
                ),
                "{bad}"
            );
        }
        assert!(Secret::ssm_parameter("/app/token").validate().is_err());
        assert!(Secret::secrets_manager(42).validate().is_err());
        // an intrinsic (the Ref of a secret resource) is taken as it is
        let r = Secret::secrets_manager(Value::r#ref("DbSecret"));
        assert_eq!(r.arn(), &Value::r#ref("DbSecret"));
        let key = Secret::secrets_manager_json_key(Value::r#ref("DbSecret"), "password");
        assert_eq!(
            serde_json::to_string(&key.value_from()).unwrap(),
            r#"{"Fn::Join":["",[{"Ref":"DbSecret"},":password::"]]}"#
        );
        let lit = Secret::secrets_manager_json_key(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
            "password",
        );
        assert_eq!(
            lit.value_from(),
            Value::from(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::"
            )
        );
        assert!(
            Secret::secrets_manager_json_key(Value::r#ref("S"), "a:b")
                .validate()
                .is_err()
        );
    }
}
