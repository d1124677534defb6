//! Weak references at deploy: a stack's parameters that the manifest says come from another
//! stack's output (`weakReferences`, made by `Scope::weak_ref`) are filled by reading that
//! output (DescribeStacks, in the producer's account and region) just before the stack is
//! deployed. No export is involved, so the producer can change or drop the value at any time
//! (no export lock) and the producer can be in another region or account; a changed value
//! reaches the consumer at its next deploy.

use crate::aws::Aws;
use crate::cloudformation::stacks;
use crate::error::{Error, Result};

/// One parameter to fill from another stack's output.
#[derive(Clone, Debug)]
pub struct WeakInput {
    /// The consumer's parameter.
    pub parameter: String,
    /// The producer's stack id in the app.
    pub producer_id: String,
    /// The producer's CloudFormation stack name.
    pub producer: String,
    /// The producer's region (the default when none).
    pub region: Option<String>,
    /// The producer's output.
    pub output: String,
    /// The access to the producer's account.
    pub aws: Aws,
}

/// Reads every input's output; returns `(parameter, value)` pairs.
pub async fn resolve(consumer: &str, inputs: &[WeakInput]) -> Result<Vec<(String, String)>> {
    let mut values = Vec::with_capacity(inputs.len());
    for input in inputs {
        let failed = |reason: String| Error::WeakReference {
            consumer: consumer.to_owned(),
            parameter: input.parameter.clone(),
            source_output: format!("output {} of stack {}", input.output, input.producer),
            reason,
        };
        let cfn = input.aws.cloudformation(
            input.region.as_deref(),
            &format!("stack {}", input.producer),
        )?;
        let Some(info) = stacks::describe(&cfn, &input.producer).await? else {
            return Err(failed(format!(
                "stack {} is not deployed; deploy it first (`cloudwright deploy {}`)",
                input.producer, input.producer_id
            )));
        };
        let Some((_, value, _)) = info.outputs.iter().find(|(k, _, _)| *k == input.output) else {
            return Err(failed(format!(
                "stack {} ({}) has no output {}: deploy it from this version of the app first (`cloudwright deploy {}`). Some local endpoints (moto) give a stack created through a change set no outputs: deploy it there with --method direct",
                input.producer, info.status, input.output, input.producer_id
            )));
        };
        values.push((input.parameter.clone(), value.clone()));
    }
    Ok(values)
}
