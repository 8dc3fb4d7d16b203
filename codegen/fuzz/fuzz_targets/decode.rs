//! The generated types' decoders on any bytes, each body tried as every answer type of the crate: no
//! panic, and what decodes serialises to JSON that decodes again to the same JSON (nothing a server sent
//! is lost or changed in a round trip: open enums keep unknown values, `Double` keeps NaN).
#![no_main]

use flink_rest::types::*;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Decodes `data` as `T`; where it decodes, checks the round trip.
fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let once = serde_json::to_string(&value).expect("a decoded value serialises");
    let again: T = serde_json::from_str(&once).unwrap_or_else(|e| {
        panic!(
            "{}: its own JSON does not decode: {e}\n{once}",
            std::any::type_name::<T>()
        )
    });
    let twice = serde_json::to_string(&again).expect("serialises");
    assert_eq!(
        once,
        twice,
        "{} changed in a round trip",
        std::any::type_name::<T>()
    );
}

macro_rules! every_answer {
    ($data:expr; $($ty:ty),* $(,)?) => { $( round_trip::<$ty>($data); )* };
}

fuzz_target!(|data: &[u8]| {
    // Every type a method of the client returns.
    every_answer!(data;
        ApplicationDetailsInfo, ApplicationExceptionsInfoWithHistory,
        AsynchronousOperationResultOfAsynchronousOperationInfo,
        AsynchronousOperationResultOfCheckpointInfo, AsynchronousOperationResultOfSavepointInfo,
        CheckpointConfigInfo, CheckpointStatistics, CheckpointingStatistics,
        ClusterDataSetListResponseBody, ClusterOverviewWithVersion, DashboardConfiguration,
        EmptyResponseBody, EnvironmentInfo, GetJobConfigBody, JarListInfo,
        JarRunApplicationResponseBody, JarRunResponseBody, JarUploadResponseBody,
        JobAccumulatorsInfo, JobDetailsInfo, JobExceptionsInfoWithHistory,
        JobExecutionResultResponseBody, JobIdsWithStatusOverview, JobPlanInfo,
        JobRescaleConfigInfo, JobRescaleDetails, JobRescalesOverview, JobRescalesSummary,
        JobStatusInfo, JobSubmitResponseBody, JobVertexAccumulatorsInfo,
        JobVertexBackPressureInfo, JobVertexDetailsInfo, JobVertexTaskManagersInfo, LogListInfo,
        LogUrlResponse, MultipleApplicationsDetails, MultipleJobsDetails,
        SubtaskExecutionAttemptAccumulatorsInfo, SubtaskExecutionAttemptDetailsInfo,
        SubtasksAllAccumulatorsInfo, SubtasksTimesInfo,
        TaskCheckpointStatisticsWithSubtaskDetails, TaskManagerDetailsInfo, TaskManagersInfo,
        ThreadDumpInfo, TriggerResponse, VertexFlameGraph, Vec<ConfigurationInfoEntry>,
        Vec<Metric>, std::collections::BTreeMap<String, JobVertexResourceRequirements>,
    );
});
