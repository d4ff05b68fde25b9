-- Headless Neovim (Debian's 0.7: vim.lsp.start_client, not yet vim.lsp.start) opens the file
-- given, starts `dsf-connections lsp` on it and writes the diagnostics it gets back, one
-- `line:column code` per line (1-based), to $DSF_NVIM_OUT. Exits 1 when none arrive.
local bin = os.getenv("DSF_CONNECTIONS_BIN")
local out = os.getenv("DSF_NVIM_OUT")
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = "dsf-connections",
  cmd = { bin, "lsp" },
  root_dir = vim.fn.expand("%:p:h"),
})
vim.lsp.buf_attach_client(buf, id)
local got = vim.wait(30000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
if not got then
  io.stderr:write("no diagnostics from dsf-connections lsp\n")
  vim.cmd("cquit 1")
end
local lines = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  table.insert(lines, string.format("%d:%d %s", d.lnum + 1, d.col + 1, code))
end
table.sort(lines)
vim.fn.writefile(lines, out)
vim.lsp.stop_client(id)
vim.cmd("qall!")
