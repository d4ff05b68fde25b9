// Starts `dsf-connections lsp` for YAML and docker-compose documents; the server decides by
// the content whether a file is a config, a compose file or neither (then it says nothing).
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function settings(): object {
  const c = vscode.workspace.getConfiguration("dsf-connections");
  return {
    "dsf-connections": {
      select: c.get("select"),
      ignore: c.get("ignore"),
      severity: c.get("severity"),
      skipFileChecks: c.get("skipFileChecks"),
      pathMap: c.get("pathMap"),
    },
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration("dsf-connections").get<string>("path") ?? "dsf-connections";
  const server: ServerOptions = { command, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "dockercompose" },
    ],
    initializationOptions: settings(),
  };
  client = new LanguageClient("dsf-connections", "dsf-connections", server, options);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("dsf-connections") && client) {
        void client.sendNotification("workspace/didChangeConfiguration", { settings: settings() });
      }
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
