using EventSourcery.Cli;

// eventsourcery: the operator's command line for EventSourcery's SQLite stores (docs/operations.md, "The command line").
return await EventSourceryCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
