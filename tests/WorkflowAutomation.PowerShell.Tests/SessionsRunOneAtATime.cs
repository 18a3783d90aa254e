// Each ModuleSession points WORKFLOW_AUTOMATION_HOME, a variable of the whole process, at a
// state directory of its own and removes it at the end: sessions must not overlap.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
