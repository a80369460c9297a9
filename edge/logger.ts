export type LogLevel = 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, message: string) => void;

export function consoleLog(now: () => number = Date.now): Log {
  return (level, message) => {
    const line = `${new Date(now()).toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
    if (level === 'info') console.log(line);
    else console.error(line);
  };
}
