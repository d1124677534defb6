//! [`Cluster`]: an ECS cluster with the Fargate capacity providers.
//!
//! ```
//! use cloudwright_compute::{CapacityProvider, CapacityProviderStrategy, Cluster, ContainerInsights};
//! use cloudwright_core::App;
//!
//! let app = App::new();
//! let mut stack = app.stack("Api")?;
//! let cluster = stack.construct(
//!     "Cluster",
//!     Cluster::new()
//!         .container_insights(ContainerInsights::Enhanced) // default: Enabled
//!         // at least one task on FARGATE, the rest mostly on FARGATE_SPOT
//!         .default_strategy([
//!             CapacityProviderStrategy::new(CapacityProvider::Fargate).base(1).weight(1),
//!             CapacityProviderStrategy::new(CapacityProvider::FargateSpot).weight(3),
//!         ]),
//! )?;
//! # let _ = cluster.name();
//! # Ok::<(), cloudwright_core::Error>(())
//! ```

use cloudwright_core::{Construct, DepTarget, Dependable, Handle, Scope, Str, Value};
use cloudwright_resources::ecs;
use cloudwright_resources::ecs::cluster as ec;

use crate::error::Error;

/// CloudWatch Container Insights for the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerInsights {
    /// Collects cluster, service and task metrics.
    Enabled,
    /// Container Insights with enhanced observability (task and container metrics).
    Enhanced,
    /// Does not collect them.
    Disabled,
}

impl ContainerInsights {
    fn setting(self) -> &'static str {
        match self {
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Enhanced => "enhanced",
            ContainerInsights::Disabled => "disabled",
        }
    }
}

/// A Fargate capacity provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CapacityProvider {
    /// `FARGATE`: on-demand capacity.
    Fargate,
    /// `FARGATE_SPOT`: spare capacity at a discount; tasks may be stopped with two minutes'
    /// notice.
    FargateSpot,
}

impl CapacityProvider {
    /// The name ECS uses.
    pub fn name(self) -> &'static str {
        match self {
            CapacityProvider::Fargate => "FARGATE",
            CapacityProvider::FargateSpot => "FARGATE_SPOT",
        }
    }
}

/// One item of a capacity provider strategy: run `base` tasks on the provider first, then
/// share the rest between providers by `weight`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityProviderStrategy {
    /// The provider.
    pub provider: CapacityProvider,
    /// The relative share of tasks beyond the bases (0 to 1000; default 1).
    pub weight: u32,
    /// The number of tasks that run on this provider first (0 to 100000; default 0). Only
    /// one item of a strategy may have a base.
    pub base: u32,
}

impl CapacityProviderStrategy {
    /// `provider` with weight 1 and no base.
    pub fn new(provider: CapacityProvider) -> Self {
        CapacityProviderStrategy {
            provider,
            weight: 1,
            base: 0,
        }
    }

    /// Sets the weight.
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the base.
    pub fn base(mut self, base: u32) -> Self {
        self.base = base;
        self
    }
}

/// Checks a capacity provider strategy: providers among `available`, each once, weights
/// 0..=1000 and not all zero, at most one base, bases 0..=100000.
pub(crate) fn validate_strategy(
    strategy: &[CapacityProviderStrategy],
    available: &[CapacityProvider],
) -> Result<(), String> {
    if strategy.is_empty() {
        return Err("a capacity provider strategy needs at least one provider".into());
    }
    for (i, item) in strategy.iter().enumerate() {
        if !available.contains(&item.provider) {
            return Err(format!(
                "{} is not one of the cluster's capacity providers",
                item.provider.name()
            ));
        }
        if strategy[..i].iter().any(|o| o.provider == item.provider) {
            return Err(format!("{} appears twice", item.provider.name()));
        }
        if item.weight > 1000 {
            return Err(format!(
                "the weight of {} is {}; use 0 to 1000",
                item.provider.name(),
                item.weight
            ));
        }
        if item.base > 100_000 {
            return Err(format!(
                "the base of {} is {}; use 0 to 100000",
                item.provider.name(),
                item.base
            ));
        }
    }
    if strategy.iter().all(|i| i.weight == 0) {
        return Err("at least one provider needs a weight above zero".into());
    }
    if strategy.iter().filter(|i| i.base > 0).count() > 1 {
        return Err("only one provider of a strategy may have a base".into());
    }
    Ok(())
}

pub(crate) fn strategy_items(strategy: &[CapacityProviderStrategy]) -> Vec<(String, u32, u32)> {
    strategy
        .iter()
        .map(|s| (s.provider.name().to_owned(), s.weight, s.base))
        .collect()
}

/// An ECS cluster for Fargate tasks, built into `Cluster` (an `AWS::ECS::Cluster`).
///
/// Its capacity providers are `FARGATE` and `FARGATE_SPOT`, and its default strategy puts
/// every task on `FARGATE` unless [`Cluster::default_strategy`] says otherwise. It has no
/// fixed name unless given one: a fixed physical name stops two stacks (or two copies of one)
/// from coexisting in an account and region.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    name: Option<String>,
    insights: ContainerInsights,
    providers: Vec<CapacityProvider>,
    strategy: Vec<CapacityProviderStrategy>,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new()
    }
}

impl Cluster {
    /// A cluster with the defaults above.
    pub fn new() -> Self {
        Cluster {
            name: None,
            insights: ContainerInsights::Enabled,
            providers: vec![CapacityProvider::Fargate, CapacityProvider::FargateSpot],
            strategy: vec![CapacityProviderStrategy::new(CapacityProvider::Fargate)],
        }
    }

    /// Gives the cluster a fixed name (1 to 255 letters, digits, hyphens and underscores).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets Container Insights (default [`ContainerInsights::Enabled`], whatever the account's
    /// setting; [`ContainerInsights::Disabled`] turns it off).
    pub fn container_insights(mut self, insights: ContainerInsights) -> Self {
        self.insights = insights;
        self
    }

    /// Sets the capacity providers (default `FARGATE` and `FARGATE_SPOT`).
    pub fn capacity_providers(
        mut self,
        providers: impl IntoIterator<Item = CapacityProvider>,
    ) -> Self {
        self.providers = providers.into_iter().collect();
        self
    }

    /// Sets the default capacity provider strategy of services that name none (default:
    /// everything on `FARGATE`).
    pub fn default_strategy(
        mut self,
        strategy: impl IntoIterator<Item = CapacityProviderStrategy>,
    ) -> Self {
        self.strategy = strategy.into_iter().collect();
        self
    }

    fn validate(&self) -> Result<(), Error> {
        if let Some(name) = &self.name
            && (name.is_empty()
                || name.len() > 255
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return Err(Error::InvalidCluster {
                reason: format!(
                    "name `{name}`: use 1 to 255 letters, digits, hyphens and underscores"
                ),
            });
        }
        if self.providers.is_empty() {
            return Err(Error::InvalidCluster {
                reason: "a Fargate cluster needs at least one capacity provider".into(),
            });
        }
        for (i, p) in self.providers.iter().enumerate() {
            if self.providers[..i].contains(p) {
                return Err(Error::InvalidCluster {
                    reason: format!("capacity provider {} appears twice", p.name()),
                });
            }
        }
        validate_strategy(&self.strategy, &self.providers)
            .map_err(|reason| Error::InvalidCluster { reason })
    }
}

/// What building a [`Cluster`] gives.
#[derive(Clone, Debug)]
pub struct ClusterOutput {
    /// The cluster (`Ref` is its name).
    pub cluster: Handle<ecs::Cluster>,
    providers: Vec<CapacityProvider>,
}

impl ClusterOutput {
    /// The cluster's name.
    pub fn name(&self) -> Value {
        self.cluster.r#ref()
    }

    /// The cluster's ARN.
    pub fn arn(&self) -> Str {
        self.cluster.arn()
    }

    /// The cluster's capacity providers.
    pub fn capacity_providers(&self) -> &[CapacityProvider] {
        &self.providers
    }
}

impl Dependable for ClusterOutput {
    fn dependency_targets(&self) -> Vec<DepTarget> {
        self.cluster.dependency_targets()
    }
}

impl Construct for Cluster {
    type Output = ClusterOutput;

    fn build(self, scope: &mut Scope<'_>) -> Result<ClusterOutput, cloudwright_core::Error> {
        self.validate()?;
        let mut cluster = ecs::Cluster::new()
            .capacity_providers(self.providers.iter().map(|p| p.name()).collect::<Vec<_>>())
            .default_capacity_provider_strategy(
                strategy_items(&self.strategy)
                    .into_iter()
                    .map(|(provider, weight, base)| {
                        let item = ec::CapacityProviderStrategyItem::new()
                            .capacity_provider(provider)
                            .weight(weight);
                        if base > 0 { item.base(base) } else { item }
                    })
                    .collect::<Vec<_>>(),
            );
        if let Some(name) = &self.name {
            cluster = cluster.cluster_name(name.clone());
        }
        cluster = cluster.cluster_settings(vec![
            ec::ClusterSettings::new()
                .name("containerInsights")
                .value(self.insights.setting()),
        ]);
        let cluster = scope.add("Cluster", cluster)?;
        Ok(ClusterOutput {
            cluster,
            providers: self.providers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CapacityProvider::{Fargate, FargateSpot};

    #[test]
    fn the_default_cluster_is_valid_and_unnamed() {
        let c = Cluster::new();
        c.validate().unwrap();
        assert_eq!(c.name, None);
        assert_eq!(c.insights, ContainerInsights::Enabled);
    }

    #[test]
    fn bad_strategies_and_names_are_rejected() {
        let bad = |c: Cluster| matches!(c.validate(), Err(Error::InvalidCluster { .. }));
        assert!(bad(Cluster::new().name("my cluster")));
        assert!(bad(Cluster::new().name("")));
        assert!(bad(Cluster::new().capacity_providers([])));
        assert!(bad(Cluster::new().capacity_providers([Fargate, Fargate])));
        assert!(bad(Cluster::new().default_strategy([])));
        assert!(bad(Cluster::new()
            .capacity_providers([Fargate])
            .default_strategy([CapacityProviderStrategy::new(FargateSpot)])));
        assert!(bad(Cluster::new().default_strategy([
            CapacityProviderStrategy::new(Fargate).base(1),
            CapacityProviderStrategy::new(FargateSpot).base(1),
        ])));
        assert!(bad(Cluster::new().default_strategy([
            CapacityProviderStrategy::new(Fargate).weight(0)
        ])));
        assert!(bad(Cluster::new().default_strategy([
            CapacityProviderStrategy::new(Fargate).weight(1001)
        ])));
        assert!(!bad(Cluster::new().name("api-cluster_1").default_strategy(
            [
                CapacityProviderStrategy::new(Fargate).base(2),
                CapacityProviderStrategy::new(FargateSpot).weight(4),
            ]
        )));
    }
}
